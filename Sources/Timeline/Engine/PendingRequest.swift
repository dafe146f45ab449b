import Frames
import LWWSet

/// A request queued by `TimelineEngine.submit` until the next `apply`: who sent it, how to
/// answer, and where its bytes (a binary message, JSON already converted) lie in the arena.
/// Plain data (no reference inside), so queueing and reading one costs no reference count;
/// a failure is kept beside it, in the engine's `failures`.
struct PendingRequest {
    var connection: TimelineConnection
    var token: TimelineReplyToken
    var interaction: TimelineInteraction
    /// The connection's encoding, for the answer.
    var encoding: TimelineEncoding
    /// The request's operation (meaningless when it was refused at submit).
    var operation: TimelineOperation
    /// The apply phase: even phases apply writes, odd ones run reads; -1 for a request
    /// refused at submit, answered first.
    var phase: Int
    /// The binary message in the arena: `arenaStart ..< arenaStart + arenaCount`.
    var arenaStart: Int
    var arenaCount: Int
    /// A binary insert or delete read at submit: its write, so `apply` need not read the
    /// message again (nil for every other request).
    var write: PendingWrite? = nil
    /// Cancelled, or its connection closed: nothing is done or answered.
    var dropped = false

    var isFireAndForget: Bool { interaction == .fireAndForget }
}

/// The write of a queued insert or delete: its score, and where its key and member lie in
/// its message (offsets from the message's start).
struct PendingWrite {
    var score: Double
    var keyOffset: Int32
    var keyCount: Int32
    var memberOffset: Int32
    var memberCount: Int32
}

extension PendingWrite {
    /// The write as the set's batch takes it: a `kind` write whose key and member are read
    /// in its message, which starts at `message`.
    @inline(__always)
    func borrowed(_ kind: WriteKind, message: UnsafeRawPointer) -> BorrowedWrite {
        BorrowedWrite(
            kind, key: UnsafeRawBufferPointer(start: message + Int(keyOffset), count: Int(keyCount)), score: score,
            member: UnsafeRawBufferPointer(start: message + Int(memberOffset), count: Int(memberCount)))
    }
}

/// A fire-and-forget insert or delete queued as a direct write (``RequestQueue/directWrites``):
/// who sent it, where its message lies in the arena, and its write. Nothing is answered.
struct DirectWrite {
    /// Who sent it (what a close or a cancel names).
    var connection: TimelineConnection, token: TimelineReplyToken
    /// Where its message starts in the arena, and the write read from it.
    var arenaStart: Int, write: PendingWrite, isDelete: Bool
    /// Cancelled, or its connection closed: not applied.
    var dropped = false
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
