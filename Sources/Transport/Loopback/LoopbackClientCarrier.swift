/// The client end of a loopback connection (see ``LoopbackServerCarrier``).
public final class LoopbackClientCarrier: ClientCarrier, @unchecked Sendable {
    // @unchecked: the connection API serialises every call (the ClientCarrier contract); the
    // channel it shares with the server is mutex-guarded.

    /// The largest frame either side takes.
    public let maxFrameLength: Int
    private let channel: LoopbackChannel
    private let scratch: UnsafeMutableRawBufferPointer
    private var closedHere = false

    init(channel: LoopbackChannel, maxFrameLength: Int) {
        self.channel = channel
        self.maxFrameLength = maxFrameLength
        scratch = .allocate(byteCount: maxFrameLength, alignment: 16)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Queues a frame for the server (`wouldBlock` when its queue is full).
    public func send(_ frame: UnsafeRawBufferPointer) throws(TransportError) -> SendOutcome {
        guard !closedHere else { throw .closed }
        guard frame.count <= maxFrameLength else { throw .invalidArgument("frame of \(frame.count) bytes exceeds \(maxFrameLength)") }
        let bytes = BorrowedBytes(frame)
        let outcome: SendOutcome = channel.state.withLock { state in
            if state.serverClosed { return .closed }
            return state.inbound.push(bytes.bytes) ? .sent : .wouldBlock
        }
        switch outcome {
        case .sent: channel.serverBell.ring()
        case .wouldBlock: break
        case .closed: throw .serverGone("the server closed the connection")
        }
        return outcome
    }

    /// Delivers received frames; throws once the server closed and nothing is left.
    public func receive(limit: Int, _ handler: (UnsafeRawBufferPointer) -> Void) throws(TransportError) -> Int {
        guard !closedHere else { throw .closed }
        var count = 0
        while count < limit {
            var gone = false
            let frame = channel.state.withLock { state -> UnsafeRawBufferPointer? in
                if let frame = state.outbound.pop(into: scratch) { return frame }
                gone = state.serverClosed
                return nil
            }
            guard let frame else {
                if gone && count == 0 { throw .serverGone("the server closed the connection") }
                break
            }
            handler(frame)
            count += 1
        }
        return count
    }

    /// Sleeps on the client's doorbell until the server sends or closes, at most `timeout`.
    public func waitForWork(timeout: Duration) throws(TransportError) {
        guard !closedHere else { throw .closed }
        let bell = channel.clientBell.doorbell
        let ticket = bell.prepareToSleep()
        let ready = channel.state.withLock { !$0.outbound.isEmpty || $0.serverClosed }
        if ready {
            bell.cancelSleep()
        } else {
            bell.sleep(ticket, timeout: timeout)
        }
    }

    /// Closes the client's end; the server sees `.closed(id, .peerClosed)`.
    public func close() {
        guard !closedHere else { return }
        closedHere = true
        channel.state.withLock { $0.clientClosed = true }
        channel.serverBell.ring()
    }
}
