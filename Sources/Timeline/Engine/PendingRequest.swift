import Frames
import LWWSet

/// A request queued by `TimelineEngine.submit` until the next `apply`: who sent it, how to
/// answer, and where its bytes (a binary message, JSON already converted) lie in the arena.
struct PendingRequest {
    var connection: TimelineConnection
    var token: TimelineReplyToken
    var interaction: TimelineInteraction
    /// The connection's encoding, for the answer.
    var encoding: TimelineEncoding
    /// The request's operation (meaningless when `failure` is set at submit).
    var operation: TimelineOperation
    /// The apply phase: even phases apply writes, odd ones run reads; -1 for a request
    /// refused at submit, answered first.
    var phase: Int
    /// The binary message in the arena: `arenaStart ..< arenaStart + arenaCount`.
    var arenaStart: Int
    var arenaCount: Int
    /// Why the request fails, when it does (set at submit, or while applying).
    var failure: EngineFailure?
    /// Cancelled, or its connection closed: nothing is done or answered.
    var dropped = false
    /// Of a write request: the index of its first write in the phase's write batch.
    var firstWrite = 0

    var isFireAndForget: Bool { interaction == .fireAndForget }
}

/// A failure to answer with an ERROR frame.
struct EngineFailure {
    var code: ErrorCode
    var reason: String

    /// A malformed request (0x204).
    static func invalid(_ reason: String) -> EngineFailure { EngineFailure(code: .invalid, reason: reason) }
    /// A request that could not be carried out (0x201).
    static func failed(_ reason: String) -> EngineFailure { EngineFailure(code: .applicationError, reason: reason) }
}

extension TimelineOperation {
    /// Whether the operation writes (insert, delete, and their batches).
    var isWrite: Bool {
        switch self {
        case .insert, .delete, .insertBatch, .deleteBatch: true
        case .select, .selectKeys, .range, .tail: false
        }
    }

    /// The operation as a request names it, for reasons.
    var name: String {
        switch self {
        case .insert: "insert"
        case .delete: "delete"
        case .select: "select"
        case .tail: "tail"
        case .insertBatch: "insert batch"
        case .deleteBatch: "delete batch"
        case .selectKeys: "select of several keys"
        case .range: "range"
        }
    }

    /// Whether `interaction` may carry the operation: writes by fire-and-forget or
    /// request-response, selects by request-response, tails by request-stream.
    func allows(_ interaction: TimelineInteraction) -> Bool {
        switch (self, interaction) {
        case (.insert, .fireAndForget), (.delete, .fireAndForget), (.insertBatch, .fireAndForget), (.deleteBatch, .fireAndForget):
            true
        case (.tail, .requestStream): true
        case (.tail, _), (_, .requestStream): false
        case (_, .requestResponse): true
        case (_, .fireAndForget): false
        }
    }
}

extension TimelineInteraction {
    /// The interaction as RSocket names it, for reasons.
    var name: String {
        switch self {
        case .fireAndForget: "fire-and-forget"
        case .requestResponse: "request-response"
        case .requestStream: "request-stream"
        }
    }
}
