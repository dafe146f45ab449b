import Frames

/// What became of an answer sent through a ``ResponderOutput``.
public enum OutputOutcome: Sendable, Equatable {
    /// Written (or queued behind earlier frames of the connection).
    case sent
    /// Held back: the requester has no credit; it goes out after its REQUEST_N.
    case held
    /// Not sent (see the refusal); stop producing for this stream.
    case refused(PayloadRefusal)
}

/// The output handle of one stream: how a ``Responder`` answers. A small value, valid on the
/// server's poll thread (inside responder calls) until the stream ends; after that every
/// call answers `.refused(.streamEnded)`. It must not be used once the server has stopped.
public struct ResponderOutput {
    /// The server's state, owned by the poll thread, unretained: the server outlives every
    /// call that hands an output out, and outputs are only used on that thread. Reached
    /// through ``withCore(_:)``: a method called on an `unowned(unsafe)` reference retained
    /// and released it around the call (some 40 instructions per answer and tail event).
    private let unsafeCore: Unmanaged<ServerCore>
    /// The connection's slot in the server.
    let key: SessionKey
    /// The stream.
    public let stream: StreamRef

    init(core: ServerCore, key: SessionKey, stream: StreamRef) {
        self.unsafeCore = Unmanaged.passUnretained(core)
        self.key = key
        self.stream = stream
    }

    /// Calls `body` with the server's state, touching no reference count.
    @inline(__always)
    private func withCore<Result>(_ body: (ServerCore) -> Result) -> Result {
        unsafeCore._withUnsafeGuaranteedRef(body)
    }

    /// The connection the stream belongs to (as ``Responder`` calls name it: unique across
    /// the server's carriers).
    public var connection: ConnectionID { key.serverWide }

    /// Sends a payload (`complete`: and ends the stream; a request-response always ends with
    /// its one answer). Fragmented when larger than the carrier takes in one frame.
    @discardableResult
    public func next(_ data: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer? = nil, complete: Bool = false) -> OutputOutcome {
        withCore { $0.sendPayload(key, stream, metadata: metadata, data: data, next: true, complete: complete) }
    }

    /// Sends a payload encoded in place (a timeline response), as ``next(_:metadata:complete:)``
    /// (through ``next(byteCount:metadata:complete:encode:)``).
    @discardableResult
    public func next<Data: FrameEncodable>(encoding data: Data, metadata: UnsafeRawBufferPointer? = nil, complete: Bool = false) -> OutputOutcome {
        next(byteCount: data.encodedByteCount, metadata: metadata, complete: complete) { data.unsafeEncode(into: $0) }
    }

    /// Sends a payload of `byteCount` bytes that `encode` writes into the buffer it is given
    /// (exactly that size), as ``next(_:metadata:complete:)``: without metadata, and fitting
    /// one frame (a timeline answer, a tail's event), it is encoded straight into that frame.
    /// Not generic, so that a caller's encoding is specialised in the caller's module (a
    /// generic call across modules went through witness tables: dearer than the copy spared).
    @discardableResult
    public func next(
        byteCount: Int, metadata: UnsafeRawBufferPointer? = nil, complete: Bool = false,
        encode: (UnsafeMutableRawBufferPointer) -> Void
    ) -> OutputOutcome {
        withCore { core in
            guard metadata == nil else {
                let data = core.encode(byteCount: byteCount, encode)
                return core.sendPayload(key, stream, metadata: metadata, data: data, next: true, complete: complete)
            }
            return core.sendPayload(key, stream, byteCount: byteCount, complete: complete, encode: encode)
        }
    }

    /// Completes the stream without a payload (PAYLOAD with C).
    @discardableResult
    public func complete() -> OutputOutcome {
        withCore { $0.sendPayload(key, stream, metadata: nil, data: .empty, next: false, complete: true) }
    }

    /// Fails the stream with ERROR `code` and a UTF-8 reason (APPLICATION_ERROR 0x201,
    /// REJECTED, CANCELED, INVALID 0x204); payloads held for it are dropped.
    @discardableResult
    public func error(_ code: ErrorCode, reason: String) -> OutputOutcome {
        withCore { $0.sendError(key, stream, code: code, reason: .text(reason)) }
    }

    /// Payloads the requester will still take (2^31-1: unbounded; 0: further payloads are
    /// held back).
    public var credit: UInt32 { withCore { $0.credit(key, stream) } }
}
