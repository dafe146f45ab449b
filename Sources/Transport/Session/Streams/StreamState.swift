/// The interaction a stream was opened for.
public enum InteractionKind: Sendable, Equatable {
    /// REQUEST_FNF (a stream only while its fragments are reassembled).
    case fireAndForget
    /// REQUEST_RESPONSE.
    case requestResponse
    /// REQUEST_STREAM.
    case requestStream
    /// REQUEST_CHANNEL.
    case requestChannel
}

/// One live stream of a session, from the responder's side. Trivially copyable (its buffers
/// are raw memory); whoever forgets a stream calls ``deallocate()``.
struct StreamState {
    /// What it was opened for.
    let kind: InteractionKind
    /// Its generation (see ``StreamRef``).
    let generation: UInt32
    /// The requester's credit for our payloads (request-stream and channel).
    var credit: UInt32
    /// Whether the opening request has reached the responder (false while its fragments are
    /// still arriving).
    var started = false
    /// The fragments of a payload still arriving.
    var assembly: FragmentAssembly?
    /// Whether the opening request carried C (a channel requester with nothing more to send).
    var openedComplete = false
    /// Channel: the requester may still send payloads.
    var inboundOpen = false
    /// Channel: payloads the requester may still send before our next REQUEST_N.
    var inboundCredit: UInt32 = 0
    /// The responder may still send payloads (not completed nor errored).
    var outboundOpen = true
    /// Payloads held back for lack of credit.
    var held = HeldPayloads()

    /// The reference the responder gets.
    func ref(_ streamID: UInt32) -> StreamRef { StreamRef(streamID: streamID, generation: generation) }

    /// Frees the stream's buffers (a partial reassembly, held payloads).
    func deallocate() {
        assembly?.deallocate()
        held.deallocate()
    }

    /// Whether both directions are done, so the stream can be forgotten.
    var isFinished: Bool { !outboundOpen && !inboundOpen && held.isEmpty && assembly == nil }
}
