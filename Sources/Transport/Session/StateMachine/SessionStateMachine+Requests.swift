import Frames

// Inbound: requests opening streams, the requester's payloads (channels, fragments), its
// REQUEST_N, CANCEL and stream ERROR.

extension SessionStateMachine {
    /// A REQUEST_*: checks the id and the bounds, then opens the stream (or starts
    /// reassembling its fragments).
    @inline(__always)  // built in its caller's result: a returned action was copied (about 80 bytes) per request
    mutating func openRequest(_ frame: FrameReader, _ kind: InteractionKind, initialDemand: UInt32) -> SessionAction {
        let id = frame.streamID
        guard id & 1 == 1 else {
            return closeWith(0, .connectionError, .text("request on stream \(id): client streams are odd"))
        }
        guard !streams.contains(id) else {
            return closeWith(0, .connectionError, .text("stream \(id) is already in use"))
        }
        if kind == .fireAndForget && !frame.follows {
            return .fireAndForget(PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData))
        }
        guard streams.count < configuration.maxConcurrentStreams else {
            return .reply(.error(streamID: id, code: .rejected, reason: .fixed("too many concurrent streams")))
        }
        var stream = StreamState(kind: kind, generation: generation, credit: initialDemand)
        generation &+= 1
        stream.openedComplete = frame.complete
        if frame.follows {
            let incoming = (frame.unsafeMetadata?.count ?? 0) + frame.unsafeData.count
            guard reassemblyBytes + incoming <= configuration.maxReassemblyBytes else {
                return reassemblyOverflow()
            }
            stream.assembly = FragmentAssembly(metadata: frame.unsafeMetadata, data: frame.unsafeData)
            reassemblyBytes += incoming
            streams.insertNew(id, stream)
            return .none
        }
        return start(id, stream, PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData), inTable: false)
    }

    /// Hands a stream's opening request to the responder (whole, or reassembled) and keeps
    /// the stream (already in the table when its fragments were gathered there).
    mutating func start(_ id: UInt32, _ stream: StreamState, _ payload: PayloadView, inTable: Bool) -> SessionAction {
        var stream = stream
        stream.started = true
        let ref = stream.ref(id)
        let action: SessionAction
        switch stream.kind {
        case .fireAndForget:
            if inTable { streams[id] = nil }
            return .fireAndForget(payload)
        case .requestResponse:
            action = .requestResponse(ref, payload)
        case .requestStream:
            action = .requestStream(ref, payload, initialDemand: stream.credit)
        case .requestChannel:
            stream.inboundOpen = !stream.openedComplete
            let grant = stream.inboundOpen ? configuration.channelWindow : 0
            stream.inboundCredit = grant
            action = .requestChannel(ref, payload, initialDemand: stream.credit, grant: grant)
        }
        if inTable { streams[id] = stream } else { streams.insertNew(id, stream) }
        return action
    }

    /// A PAYLOAD from the requester: the next fragment of a request or of a channel payload,
    /// or a channel payload of its own.
    mutating func receivePayload(_ frame: FrameReader) -> SessionAction {
        let id = frame.streamID
        guard var stream = streams[id] else { return .none }
        if var assembly = stream.assembly {
            let incoming = (frame.unsafeMetadata?.count ?? 0) + frame.unsafeData.count
            guard reassemblyBytes + incoming <= configuration.maxReassemblyBytes else {
                return reassemblyOverflow()
            }
            assembly.append(metadata: frame.unsafeMetadata, data: frame.unsafeData)
            reassemblyBytes += incoming
            if frame.follows {
                stream.assembly = assembly
                streams[id] = stream
                return .none
            }
            reassemblyBytes -= assembly.byteCount
            stream.assembly = nil
            retired = assembly
            if !stream.started {
                stream.openedComplete = stream.openedComplete || frame.complete
                return start(id, stream, assembly.payload, inTable: true)
            }
            streams[id] = stream
            return deliverChannelPayload(id, assembly.payload, next: true, complete: frame.complete)
        }
        guard stream.kind == .requestChannel, stream.inboundOpen else {
            return closeWith(0, .connectionError, .text("PAYLOAD from the requester on stream \(id), which takes none"))
        }
        if frame.next {
            guard stream.inboundCredit > 0 else {
                return closeWith(0, .connectionError, .text("PAYLOAD on stream \(id) beyond the granted REQUEST_N"))
            }
            stream.inboundCredit = Credit.usingOne(stream.inboundCredit)
        }
        if frame.follows {
            let incoming = (frame.unsafeMetadata?.count ?? 0) + frame.unsafeData.count
            guard reassemblyBytes + incoming <= configuration.maxReassemblyBytes else {
                return reassemblyOverflow()
            }
            stream.assembly = FragmentAssembly(metadata: frame.unsafeMetadata, data: frame.unsafeData)
            reassemblyBytes += incoming
            streams[id] = stream
            return .none
        }
        streams[id] = stream
        return deliverChannelPayload(id, PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData), next: frame.next, complete: frame.complete)
    }

    /// A whole channel payload (or bare completion) from the requester, topping up its credit
    /// when half the window is used.
    mutating func deliverChannelPayload(_ id: UInt32, _ payload: PayloadView, next: Bool, complete: Bool) -> SessionAction {
        let slot = streams.find(id)!
        var stream = streams[slot: slot]
        let ref = stream.ref(id)
        var grant: UInt32 = 0
        if complete {
            stream.inboundOpen = false
        } else if stream.inboundCredit <= configuration.channelWindow / 2 {
            grant = configuration.channelWindow - stream.inboundCredit
            stream.inboundCredit = configuration.channelWindow
        }
        finish(slot, stream)
        return next ? .channelPayload(ref, payload, complete: complete, grant: grant) : .channelComplete(ref)
    }

    /// REQUEST_N: more credit for our payloads on a stream or channel.
    mutating func receiveRequestN(_ id: UInt32, _ n: UInt32) -> SessionAction {
        guard var stream = streams[id], stream.started,
              stream.kind == .requestStream || stream.kind == .requestChannel, stream.outboundOpen else { return .none }
        stream.credit = Credit.adding(stream.credit, n)
        streams[id] = stream
        return .demand(stream.ref(id), credit: stream.credit)
    }

    /// CANCEL, or an ERROR on a stream: the requester ends the stream.
    mutating func endByRequester(_ id: UInt32) -> SessionAction {
        guard let stream = streams.removeValue(forKey: id) else { return .none }
        reassemblyBytes -= stream.assembly?.byteCount ?? 0
        heldBytes -= stream.held.byteCount
        stream.deallocate()
        return stream.started ? .cancel(stream.ref(id)) : .none
    }

    /// Fragments past the connection's bound: a connection error.
    mutating func reassemblyOverflow() -> SessionAction {
        closeWith(0, .connectionError, .text("fragmented payloads exceed \(configuration.maxReassemblyBytes) bytes"))
    }
}
