// Outbound: the responder's payloads, completions and errors, checked against the stream's
// state and the requester's credit.

extension SessionStateMachine {
    /// The responder wants to send a payload (`next`) and/or complete the stream. Answers
    /// whether to write the PAYLOAD now (with C set as returned: a request-response always
    /// completes), to hold it back (no credit: the session copied it and sends it after a
    /// REQUEST_N, see ``releaseHeld(_:_:)``), or not at all.
    public mutating func preparePayload(
        _ ref: StreamRef, metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer, next: Bool, complete: Bool
    ) -> PayloadDisposition {
        guard state == .active else { return .refused(.connectionClosed) }
        guard next || complete, let slot = streams.find(ref.streamID) else { return .refused(.streamEnded) }
        let holdRoom = configuration.maxHeldBytes - heldBytes
        let holdSize = (metadata?.count ?? 0) + data.count + HeldPayloads.headerSize
        // In place: the stream copied out and stored back cost about as much as the rest of
        // a tail event's send (callgrind).
        var answered = false
        let disposition = streams.update(slot: slot) { stream -> PayloadDisposition in
            guard stream.generation == ref.generation, stream.started, stream.outboundOpen else { return .refused(.streamEnded) }
            switch stream.kind {
            case .fireAndForget:
                return .refused(.streamEnded)
            case .requestResponse:
                answered = true
                return .send(ended: true)
            case .requestStream, .requestChannel:
                if !stream.held.isEmpty || (next && stream.credit == 0) {
                    guard holdSize <= holdRoom else { return .refused(.holdFull) }
                    stream.held.append(metadata: metadata, data: data, next: next, complete: complete)
                    return .held
                }
                if next { stream.credit = Credit.usingOne(stream.credit) }
                if complete { stream.outboundOpen = false }
                return .send(ended: complete)
            }
        }
        switch disposition {
        case .held:
            heldBytes += holdSize
        case .send(ended: true):
            // A request-response's answer ends it; a stream's completion, once both
            // directions are done.
            if answered { streams.remove(slot: slot) } else { finish(slot, streams[slot: slot]) }
        case .send, .refused:
            break
        }
        return disposition
    }

    /// The responder fails the stream: returns nil when an ERROR should be written now
    /// (held payloads are dropped; the stream has ended), or why not.
    public mutating func prepareError(_ ref: StreamRef) -> PayloadRefusal? {
        guard state == .active else { return .connectionClosed }
        guard let stream = streams[ref.streamID], stream.generation == ref.generation, stream.started,
              stream.outboundOpen else { return .streamEnded }
        streams[ref.streamID] = nil
        reassemblyBytes -= stream.assembly?.byteCount ?? 0
        heldBytes -= stream.held.byteCount
        stream.deallocate()
        return nil
    }

    /// The credit the requester has left on a stream (0 for an ended one; 2^31-1: unbounded),
    /// less the payloads already held.
    public func credit(_ ref: StreamRef) -> UInt32 {
        guard let stream = streams[ref.streamID], stream.generation == ref.generation, stream.outboundOpen else { return 0 }
        switch stream.kind {
        case .requestResponse: return 1
        case .fireAndForget: return 0
        case .requestStream, .requestChannel:
            guard stream.held.isEmpty else { return 0 }
            return stream.credit
        }
    }

    /// Payloads held on a stream, for counters and tests.
    public func heldPayloadCount(_ ref: StreamRef) -> Int {
        guard let stream = streams[ref.streamID], stream.generation == ref.generation else { return 0 }
        return stream.held.nextCount + (stream.held.holdsCompletion ? 1 : 0)
    }

    /// After a ``SessionAction/demand(_:credit:)``: hands the held payloads that the credit now
    /// covers to `write` in order (`complete` set on the last when the stream completes), and
    /// returns how many. `write` must not call back into the session.
    @discardableResult
    public mutating func releaseHeld(
        _ ref: StreamRef,
        _ write: (_ metadata: UnsafeRawBufferPointer?, _ data: UnsafeRawBufferPointer, _ next: Bool, _ complete: Bool) -> Void
    ) -> Int {
        guard let slot = streams.find(ref.streamID) else { return 0 }
        var stream = streams[slot: slot]
        guard stream.generation == ref.generation, !stream.held.isEmpty else { return 0 }
        var count = 0
        var completed = false
        let (credit, released) = stream.held.release(credit: stream.credit) { metadata, data, next, complete in
            count += 1
            if complete { completed = true }
            write(metadata, data, next, complete)
        }
        stream.credit = credit
        heldBytes -= released
        if completed { stream.outboundOpen = false }
        finish(slot, stream)
        return count
    }

    /// Stores a stream back into its slot, or forgets it (freeing its buffers) when both
    /// directions are done.
    mutating func finish(_ slot: Int, _ stream: StreamState) {
        if stream.isFinished {
            streams.remove(slot: slot)
            stream.deallocate()
        } else {
            streams[slot: slot] = stream
        }
    }
}
