import Frames

/// What the engine has done, as plain counters it increments on the writer's thread (a later
/// step places them in shared memory for `ringside stat`). Every field only grows, except
/// `activeTails`.
public struct TimelineCounters: Hashable, Sendable {
    /// Requests received by REQUEST_FNF.
    public var fireAndForgetRequests: UInt64 = 0
    /// Requests received by REQUEST_RESPONSE.
    public var requestResponseRequests: UInt64 = 0
    /// Requests received by REQUEST_STREAM.
    public var requestStreamRequests: UInt64 = 0

    /// Requests by operation (those that could be read far enough to know it).
    public var inserts: UInt64 = 0
    /// Single deletes.
    public var deletes: UInt64 = 0
    /// Selects of one key.
    public var selects: UInt64 = 0
    /// Tails.
    public var tails: UInt64 = 0
    /// Insert batches.
    public var insertBatches: UInt64 = 0
    /// Delete batches.
    public var deleteBatches: UInt64 = 0
    /// Selects of several keys.
    public var selectKeys: UInt64 = 0
    /// Range (cursor) selects.
    public var ranges: UInt64 = 0

    /// Requests refused as malformed (0x204 INVALID), answered or, for fire-and-forget, not.
    public var invalidRequests: UInt64 = 0
    /// Requests that failed (0x201 APPLICATION_ERROR), answered or, for fire-and-forget, not.
    public var failedRequests: UInt64 = 0
    /// Of the two above, the fire-and-forget requests, which get no answer.
    public var unansweredFailures: UInt64 = 0

    /// Writes that changed the set.
    public var writesApplied: UInt64 = 0
    /// Writes the set ignored (size gate, newer insert or newer delete).
    public var writesIgnored: UInt64 = 0

    /// Tail events handed to the server's output.
    public var tailEventsSent: UInt64 = 0
    /// Tails ended because their buffer overflowed.
    public var tailsCutOff: UInt64 = 0
    /// Tails subscribed now.
    public var activeTails: UInt64 = 0

    /// All zero.
    public init() {}
}

extension TimelineCounters {
    /// Counts a request by its interaction.
    mutating func count(_ interaction: TimelineInteraction) {
        switch interaction {
        case .fireAndForget: fireAndForgetRequests += 1
        case .requestResponse: requestResponseRequests += 1
        case .requestStream: requestStreamRequests += 1
        }
    }

    /// Counts a request by its operation.
    mutating func count(_ operation: TimelineOperation) {
        switch operation {
        case .insert: inserts += 1
        case .delete: deletes += 1
        case .select: selects += 1
        case .tail: tails += 1
        case .insertBatch: insertBatches += 1
        case .deleteBatch: deleteBatches += 1
        case .selectKeys: selectKeys += 1
        case .range: ranges += 1
        }
    }

    /// Counts `count` fire-and-forget inserts and deletes at once, `deletes` of them deletes
    /// (a batch's direct writes, counted when it is applied rather than one by one).
    mutating func countDirectWrites(_ count: Int, deletes: Int) {
        fireAndForgetRequests += UInt64(count)
        self.deletes += UInt64(deletes)
        inserts += UInt64(count - deletes)
    }

    /// Counts a request by both (one access to the engine's counters instead of two).
    mutating func count(_ interaction: TimelineInteraction, _ operation: TimelineOperation) {
        count(interaction)
        count(operation)
    }
}
