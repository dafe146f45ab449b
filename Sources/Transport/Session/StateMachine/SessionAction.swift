import Frames

/// What the session's driver must do after feeding the state machine one event: hand a
/// request to the responder, write a frame, or close. Payload views are valid until the next
/// call into the state machine.
public enum SessionAction {
    /// Nothing (a frame that only updated state, or one to ignore).
    case none
    /// A valid SETUP: ask the responder, then report its decision with
    /// ``SessionStateMachine/decideSetup(_:now:)``.
    case setup(SetupRequest)
    /// REQUEST_FNF.
    case fireAndForget(PayloadView)
    /// REQUEST_RESPONSE: the stream takes exactly one answer.
    case requestResponse(StreamRef, PayloadView)
    /// REQUEST_STREAM with the requester's first credit.
    case requestStream(StreamRef, PayloadView, initialDemand: UInt32)
    /// REQUEST_CHANNEL with the requester's first credit; write REQUEST_N(`grant`) on the
    /// stream first (the requester's credit to send its payloads).
    case requestChannel(StreamRef, PayloadView, initialDemand: UInt32, grant: UInt32)
    /// The requester's next payload on a channel (`complete`: its last); when `grant` is
    /// positive write REQUEST_N(`grant`) on the stream (topping up its credit).
    case channelPayload(StreamRef, PayloadView, complete: Bool, grant: UInt32)
    /// The requester completed its half of a channel without a payload.
    case channelComplete(StreamRef)
    /// The requester's credit grew (REQUEST_N) to `credit`: release held payloads with
    /// ``SessionStateMachine/releaseHeld(_:_:)``, then tell the responder.
    case demand(StreamRef, credit: UInt32)
    /// The requester cancelled the stream (CANCEL, or an ERROR on it); it has ended.
    case cancel(StreamRef)
    /// Write this frame; the session goes on.
    case reply(SessionReply)
    /// Write this frame if there is one, then close the connection: the session is over.
    case close(SessionReply?)
}

/// A frame the session itself answers with.
public enum SessionReply: Equatable {
    /// KEEPALIVE without the respond flag, echoing the data (a view into the received frame).
    case keepalive(data: UnsafeRawBufferPointer)
    /// ERROR on a stream (0: the connection).
    case error(streamID: UInt32, code: ErrorCode, reason: ErrorReason)

    /// Equal when the frames would be.
    public static func == (lhs: SessionReply, rhs: SessionReply) -> Bool {
        switch (lhs, rhs) {
        case let (.keepalive(a), .keepalive(b)): a.elementsEqual(b)
        case let (.error(s1, c1, r1), .error(s2, c2, r2)): s1 == s2 && c1 == c2 && r1 == r2
        default: false
        }
    }

    /// Writes the frame.
    public func write(into writer: inout FrameWriter) throws(FrameError) {
        switch self {
        case .keepalive(let data): try writer.writeKeepalive(respond: false, data: data)
        case let .error(streamID, code, reason): try writer.writeError(streamID: streamID, code: code, reason: reason)
        }
    }
}

/// What became of a payload the responder asked to send.
public enum PayloadDisposition: Sendable, Equatable {
    /// Write it now (the credit was there, or none was needed); `ended`: the stream is over.
    case send(ended: Bool)
    /// Held back until the requester's REQUEST_N (there was no credit).
    case held
    /// Refused: nothing is sent.
    case refused(PayloadRefusal)
}

/// Why a payload, completion or error from the responder was refused.
public enum PayloadRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stream has ended (completed, errored, cancelled) or never existed.
    case streamEnded
    /// The bytes held back for lack of credit would pass the connection's bound: wait for
    /// ``Responder/demand(_:credit:output:)``.
    case holdFull
    /// The connection's outbound path is backed up past its bound (server side).
    case backlogFull
    /// The connection is closing or closed.
    case connectionClosed

    /// A short account.
    public var description: String {
        switch self {
        case .streamEnded: "the stream has ended"
        case .holdFull: "too many payloads held back for lack of credit"
        case .backlogFull: "the connection's outbound queue is full"
        case .connectionClosed: "the connection is closed"
        }
    }
}
