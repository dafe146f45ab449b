import Frames
import Glibc
import Posix

/// The client side of the TCP carrier: one non-blocking connection driven by the thread that
/// holds it. Frames go out behind their u24 prefix through a bounded outbound queue;
/// received bytes are split into frames in a pooled buffer.
///
/// With ``autoFlush`` on (the default) every ``send(_:)`` also writes what is queued (one
/// `sendmsg`); turn it off to batch several sends into one write with ``flush()``.
/// ``receive(limit:_:)`` and ``waitForWork(timeout:)`` always write what is queued first.
///
/// ```swift
/// let client = try TCPClientCarrier(connectingTo: TCPAddress(parsing: "127.0.0.1:5555"))
/// _ = try frame.withUnsafeBytes { try client.send($0) }
/// while try client.receive(limit: 16, { reply in handle(reply) }) == 0 {
///     try client.waitForWork(timeout: .seconds(1))
/// }
/// client.close()
/// ```
public final class TCPClientCarrier: ClientCarrier {
    /// The server's address.
    public let serverAddress: TCPAddress
    /// This side's address.
    public let localAddress: TCPAddress
    /// The largest frame ``send(_:)`` takes (the outbound queue's room, at most the u24 limit).
    public let maxFrameLength: Int
    /// Whether ``send(_:)`` writes at once (default) or leaves it to ``flush()``.
    public var autoFlush = true

    /// Whether frames are queued that the socket has not taken yet.
    public var hasQueuedOutput: Bool { !outbound.isEmpty }

    private var descriptor: Int32
    private let outbound: OutboundQueue
    private var assembler: FrameAssembler
    /// Why the connection is gone, once it is (delivered after the frames before it).
    private var failure: TransportError?
    private var isClosed = false
    /// Inside a ``receive(limit:_:)`` handler: the assembler is in use, so ``close()`` leaves
    /// it to the receive, and a nested receive or wait returns at once.
    private var isDelivering = false

    /// Connects to `address` within `timeout`. Nobody listening: ``TransportError/serverNotFound(_:)``;
    /// no answer in time: ``TransportError/timedOut(_:)``.
    public init(
        connectingTo address: TCPAddress, timeout: Duration = .seconds(5),
        configuration: TCPCarrierConfiguration = TCPCarrierConfiguration()
    ) throws(TransportError) {
        try configuration.validate()
        let descriptor = try TCPSocket.connect(to: address, timeout: timeout)
        do throws(TransportError) {
            localAddress = try TCPSocket.localAddress(descriptor)
            outbound = try TCPSocket.system { () throws(SystemCallError) in
                try OutboundQueue(capacity: configuration.outboundCapacity)
            }
        } catch {
            TCPSocket.closeQuietly(descriptor)
            throw error
        }
        self.descriptor = descriptor
        serverAddress = address
        maxFrameLength = configuration.maxOutboundFrameLength
        assembler = FrameAssembler(
            pool: BufferPool(bufferSize: configuration.readBufferSize, capacity: 1),
            limit: configuration.maxInboundFrameLength)
    }

    deinit {
        close()
    }

    /// Queues `frame` (and with ``autoFlush`` writes): `.sent`, or `.wouldBlock` when the
    /// queue is full even after writing what the socket takes. Throws once the connection is
    /// gone. `frame.count` must be at most ``maxFrameLength``.
    public func send(_ frame: UnsafeRawBufferPointer) throws(TransportError) -> SendOutcome {
        try checkOpen()
        if let failure { throw failure }
        precondition(frame.count <= maxFrameLength, "TCP carrier: frame of \(frame.count) bytes beyond maxFrameLength \(maxFrameLength)")
        if !outbound.append(frame: frame) {
            try flush()
            guard outbound.append(frame: frame) else { return .wouldBlock }
        }
        if autoFlush { try flush() }
        return .sent
    }

    /// Writes what is queued, as far as the socket takes it now (one `sendmsg`).
    public func flush() throws(TransportError) {
        try checkOpen()
        guard failure == nil else { return }
        let (first, second) = outbound.pending()
        guard first.count > 0 else { return }
        var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count))
        let descriptor = self.descriptor
        do throws(SystemCallError) {
            let written = try withUnsafeMutablePointer(to: &vectors) { pair throws(SystemCallError) in
                try pair.withMemoryRebound(to: iovec.self, capacity: 2) { vector throws(SystemCallError) in
                    try Sys.send(descriptor, vectors: vector, count: second.count > 0 ? 2 : 1)
                }
            }
            if let written { outbound.consume(written) }
        } catch {
            lose(gone(error))
            throw failure!
        }
    }

    /// Delivers up to `limit` received frames (bytes valid during the call) and returns how
    /// many, reading the socket once when fewer are buffered. Throws once the connection is
    /// gone and no frame before its end is left. The handler may send and may close the
    /// carrier (no later frame is delivered then); a receive or wait from inside it returns at
    /// once.
    public func receive(limit: Int, _ handler: (UnsafeRawBufferPointer) -> Void) throws(TransportError) -> Int {
        try checkOpen()
        guard !isDelivering else { return 0 }
        try? flush()
        var delivered = try deliver(limit: limit, handler)
        if delivered < limit, failure == nil {
            readOnce()
            delivered += try deliver(limit: limit - delivered, handler)
        }
        if delivered == 0, let failure { throw failure }
        return delivered
    }

    /// Writes what is queued, then sleeps in `poll` until bytes arrive (or room to write,
    /// when some is queued), at most `timeout`. Returns at once when a frame is buffered.
    public func waitForWork(timeout: Duration) throws(TransportError) {
        try checkOpen()
        guard !isDelivering else { return }
        try? flush()
        if assembler.hasCompleteFrame() { return }
        if let failure { throw failure }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN) | (outbound.isEmpty ? 0 : Int16(POLLOUT)), revents: 0)
        _ = try TCPSocket.system { () throws(SystemCallError) in
            try Sys.poll(&entry, count: 1, timeoutMilliseconds: TCPSocket.milliseconds(timeout))
        }
        if entry.revents & Int16(POLLOUT) != 0 { try? flush() }
    }

    /// Writes what the socket takes of the queue and closes the connection; idempotent.
    /// Later calls throw ``TransportError/closed``.
    public func close() {
        guard !isClosed else { return }
        if failure == nil {
            writeOutQueue(within: .seconds(2))
            TCPSocket.closeQuietly(descriptor)
            descriptor = -1
        }
        isClosed = true
        if !isDelivering { assembler.releaseBuffer() }
    }

    /// Writes out what ``send(_:)`` accepted before the socket closes, waiting for room at
    /// most `limit` (a peer that stopped reading must not hang the close): frames accepted as
    /// `.sent` are not dropped by a close that follows them.
    private func writeOutQueue(within limit: Duration) {
        let deadline = ContinuousClock.now + limit
        while failure == nil {
            try? flush()
            if outbound.isEmpty || ContinuousClock.now >= deadline { return }
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            _ = try? TCPSocket.system { () throws(SystemCallError) in
                try Sys.poll(&entry, count: 1, timeoutMilliseconds: 10)
            }
        }
    }

    private func checkOpen() throws(TransportError) {
        if isClosed { throw .closed }
    }

    /// Hands buffered frames to `handler`; a bad length ends the connection.
    private func deliver(limit: Int, _ handler: (UnsafeRawBufferPointer) -> Void) throws(TransportError) -> Int {
        isDelivering = true
        defer {
            isDelivering = false
            if isClosed { assembler.releaseBuffer() }  // closed by the handler
        }
        do throws(FrameAssemblyError) {
            let drained = try assembler.drainFrames(maxFrames: limit) { frame, _ in
                handler(frame)
                return isClosed ? .keep : .consumed  // closed by the handler: stop there
            }
            return drained.taken + (drained.kept ? 1 : 0)
        } catch {
            lose(.protocolViolation("\(serverAddress): \(error)"))
            return 0
        }
    }

    /// One non-blocking read into the assembler; end of stream or an error becomes `failure`.
    private func readOnce() {
        let descriptor = self.descriptor
        do throws(SystemCallError) {
            let filled = try assembler.fill { (room) throws(SystemCallError) -> Int? in try Sys.readAvailable(descriptor, into: room) }
            if case .read(count: 0, _) = filled { lose(.serverGone("\(serverAddress) closed the connection")) }
        } catch {
            lose(gone(error))
        }
    }

    /// The connection is gone: remember why, and close the socket at once (the frames
    /// already read stay deliverable), so the server's close completes without waiting.
    private func lose(_ why: TransportError) {
        failure = why
        TCPSocket.closeQuietly(descriptor)
        descriptor = -1
    }

    /// The error a failed read or write means.
    private func gone(_ error: SystemCallError) -> TransportError {
        switch error.errno {
        case .connectionReset: .serverGone("\(serverAddress) reset the connection")
        case .brokenPipe: .serverGone("\(serverAddress) closed the connection")
        default: .system(error)
        }
    }
}
