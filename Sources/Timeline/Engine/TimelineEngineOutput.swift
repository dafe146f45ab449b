import Frames
import LWWSet

/// Where the engine sends what it answers: the server implements it over its sessions (a
/// PAYLOAD, a stream's next event, an ERROR), tests over plain arrays. The engine calls it
/// only from `TimelineEngine.apply(into:observer:)`, `demand(_:_:into:)` and `flush(into:)`,
/// and it must not call the engine back (queue what it must do and do it after the call).
public protocol TimelineEngineOutput {
    /// The answer to a request-response: one PAYLOAD (N, C) on `token`'s stream. `data` is
    /// the response in the connection's encoding; the server writes it into a frame buffer
    /// of its own (`FrameWriter.writePayload(streamID:next:complete:data:)`). Its bytes are
    /// valid only during the call.
    mutating func respond(to token: TimelineReplyToken, with data: some FrameEncodable)

    /// One event of a tail: a PAYLOAD (N) on `token`'s stream, already covered by the
    /// stream's REQUEST_N credit. `event` is the event in the connection's encoding, valid
    /// only during the call; the server encodes it straight into its frame
    /// (``ResponderOutput/next(byteCount:metadata:complete:encode:)``). Returns false when the
    /// connection cannot take it now (its outbound path is full): the engine keeps the event
    /// queued and offers it again at the next `apply`, `demand` or `flush`.
    mutating func emit(to token: TimelineReplyToken, event: some FrameEncodable) -> Bool

    /// Ends `token`'s stream with an ERROR frame: `code` is `ErrorCode.invalid` (0x204) for a
    /// malformed request, `ErrorCode.applicationError` (0x201) for one that failed; `reason`
    /// says why in UTF-8 and names the field at fault.
    mutating func fail(_ token: TimelineReplyToken, code: ErrorCode, reason: String)

    /// Ends `token`'s stream (a tail) with a PAYLOAD (C) and no data: every event it was owed
    /// has been sent (`TimelineEngine.endTails(into:)`, at a clean stop).
    mutating func complete(_ token: TimelineReplyToken)
}

/// Told of every write the set accepted (applied: it changed the set), in the order they
/// were applied, with borrowed bytes valid only during the call; the journal logs them.
/// Called from `TimelineEngine.apply(into:observer:)` on the writer's thread; it must not
/// allocate on the steady-state path.
public protocol TimelineWriteObserver {
    /// `kind` of `member` at `score` under `key` was applied.
    mutating func accepted(_ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer)

    /// Whether `accepted` does anything: false lets `apply` skip the call per applied write
    /// (and the set's report of each write's outcome). True unless an observer says otherwise.
    var observesWrites: Bool { get }
}

extension TimelineWriteObserver {
    /// An observer is told of every accepted write unless it says it ignores them.
    public var observesWrites: Bool { true }
}

/// The observer of a server without a journal: ignores every write.
public struct NoWriteObserver: TimelineWriteObserver {
    /// An observer that does nothing.
    public init() {}

    /// False: this observer ignores every write, so `apply` need not report them.
    @inlinable
    public var observesWrites: Bool { false }

    /// Does nothing.
    @inlinable
    public mutating func accepted(_ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) {}
}
