import DrainLoop
import Posix
import ShmRing
import Synchronization

/// The TCP server carrier: a listening socket and one I/O thread (``TCPEventLoop``) serving
/// every connection, polled by the server's single writer.
///
/// The writer's side allocates nothing and takes no lock: ``poll(limit:_:)`` reads the
/// inbound ring the I/O thread fills, ``send(_:to:)`` copies a frame behind its u24 prefix
/// into the connection's bounded outbound queue (``SendOutcome/wouldBlock`` when full; the
/// doorbell rings once room appears), and ``flush()`` hands the I/O thread the connections
/// sent to, waking it with one eventfd write only when it sleeps.
///
/// ```swift
/// let bell = ProcessDoorbell()
/// let carrier = try TCPServerCarrier(listeningOn: TCPAddress(parsing: "127.0.0.1:0"), doorbell: bell.doorbell)
/// print("listening on \(carrier.boundAddress)")
/// while running {
///     let events = carrier.poll(limit: 256) { event in
///         if case .frame(let id, let bytes) = event { _ = carrier.send(bytes, to: id) }   // echo
///     }
///     carrier.flush()
///     if events == 0 { let t = bell.doorbell.prepareToSleep(); bell.doorbell.sleep(t, timeout: .milliseconds(100)) }
/// }
/// carrier.shutdown()
/// ```
public final class TCPServerCarrier: ServerCarrier {
    /// The address the listener is bound to (port 0 resolved to the port the system chose).
    public let boundAddress: TCPAddress
    /// The sizes and limits in force.
    public let configuration: TCPCarrierConfiguration
    /// The largest frame ``send(_:to:)`` takes (the outbound queue's room for one frame,
    /// at most the u24 limit).
    public let maxFrameLength: Int

    private let loop: TCPEventLoop
    private let runner: AgentRunner
    private let isShutDown = Atomic<Bool>(false)

    // The writer's own state, one entry per slot (no exclusivity checks, no copy on write).
    /// The id of the connection each slot holds as the writer knows it (0: none).
    private let writerIDs: UnsafeMutablePointer<UInt64>
    /// The connection objects of the slots the writer knows, unretained (the loop's table
    /// keeps them for the carrier's lifetime): no reference counting on the hot path, whose
    /// count word the I/O thread would otherwise pull back and forth.
    private let writerConnections: UnsafeMutablePointer<Unmanaged<TCPConnection>?>
    /// Slots the writer has asked to close.
    private let writerClosing: UnsafeMutablePointer<Bool>
    /// Slots sent to since the last flush, and the list of them.
    private let dirty: UnsafeMutablePointer<Bool>
    private let dirtyList: UnsafeMutablePointer<UInt32>
    private var dirtyCount = 0

    /// Listens on `address` (port 0: a free port, see ``boundAddress``) and starts the I/O
    /// thread, which rings `doorbell` whenever it has events for ``poll(limit:_:)`` or has
    /// made room after a ``SendOutcome/wouldBlock``.
    public init(
        listeningOn address: TCPAddress, doorbell: Doorbell, configuration: TCPCarrierConfiguration = TCPCarrierConfiguration()
    ) throws(TransportError) {
        try configuration.validate()
        let (listener, bound) = try TCPSocket.listen(on: address, backlog: configuration.backlog)
        let loop: TCPEventLoop
        do throws(TransportError) {
            loop = try TCPEventLoop(configuration: configuration, listener: listener, doorbell: doorbell)
        } catch {
            TCPSocket.closeQuietly(listener)
            throw error
        }
        do {
            runner = try AgentRunner(agent: TCPEventLoopAgent(loop: loop), idle: { [loop] work in loop.idle(work) })
        } catch {
            loop.closeEverything()
            switch error {
            case .threadStartFailed(_, let code):
                throw .system(SystemCallError(SystemCall("pthread_create"), Errno(rawValue: code)))
            }
        }
        self.loop = loop
        self.boundAddress = bound
        self.configuration = configuration
        self.maxFrameLength = configuration.maxOutboundFrameLength
        let slots = configuration.maxConnections
        writerIDs = .allocate(capacity: slots)
        writerIDs.initialize(repeating: 0, count: slots)
        writerConnections = .allocate(capacity: slots)
        writerConnections.initialize(repeating: nil, count: slots)
        writerClosing = .allocate(capacity: slots)
        writerClosing.initialize(repeating: false, count: slots)
        dirty = .allocate(capacity: slots)
        dirty.initialize(repeating: false, count: slots)
        dirtyList = .allocate(capacity: slots)
    }

    /// The kernel id of the I/O thread, once it has started (tests read its CPU time).
    var ioThreadID: Int32? { runner.threadID }

    deinit {
        shutdown()
        writerIDs.deallocate()
        writerConnections.deallocate()
        writerClosing.deallocate()
        dirty.deallocate()
        dirtyList.deallocate()
    }

    /// Connections accepted and closed at once because ``TCPCarrierConfiguration/maxConnections``
    /// were open.
    public var rejectedConnections: Int { loop.rejectedConnections.load(ordering: .relaxed) }

    /// Bytes held now in frames longer than a read buffer (see
    /// ``TCPCarrierConfiguration/maxLargeFrameBytes``).
    var largeFrameBytes: Int { loop.largeFrames.reserved }

    /// Bytes of the inbound ring in use now: the records the I/O thread has posted and
    /// ``poll(limit:_:)`` has not consumed yet.
    var inboundOccupiedBytes: Int { loop.inbound.occupiedBytes }

    /// Delivers up to `limit` events in order: `.opened`, `.frame` (bytes valid during the
    /// call), `.malformed` (the carrier stopped reading that connection), `.closed`.
    public func poll(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        let count: Int
        do {
            count = try loop.inbound.read(limit: limit) { type, payload in
                let id = InboundRecord.connection(of: payload)
                let slot = Int(id.rawValue & (1 << TCPCarrierConfiguration.slotBits - 1))
                if type == InboundRecord.opened {
                    writerIDs[slot] = id.rawValue
                    writerClosing[slot] = false
                    if writerConnections[slot] == nil {
                        writerConnections[slot] = Unmanaged.passUnretained(loop.connections[slot].unsafelyUnwrapped)
                    }
                }
                InboundRecord.deliver(type: type, payload: payload, budget: loop.largeFrames, to: handler)
                if type == InboundRecord.closed {
                    writerIDs[slot] = 0
                    _ = loop.returns.push(UInt32(slot))
                }
            }
        } catch {
            preconditionFailure("TCP carrier: its own inbound ring is corrupt: \(error)")
        }
        if count > 0 {
            // The I/O thread waits for room (the ring was full) or for a connection's share
            // to come back (``TCPCarrierConfiguration/inboundShare``): one load each per poll.
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            var wake = loop.inboundStalled.load(ordering: .relaxed)
                && loop.inboundStalled.exchange(false, ordering: .sequentiallyConsistent)
            let resume = loop.shareWake.load(ordering: .relaxed)
            if resume != .max, loop.inbound.consumerPosition >= resume,
               loop.shareWake.exchange(.max, ordering: .sequentiallyConsistent) != .max {
                wake = true
            }
            if wake { loop.signal() }
        }
        return count
    }

    /// Queues `frame` behind its u24 length for `connection`: `.sent`, `.wouldBlock` (the
    /// queue is full; retry after the doorbell rings), or `.closed`. `frame.count` must be at
    /// most ``maxFrameLength`` (sessions fragment beyond it).
    public func send(_ frame: UnsafeRawBufferPointer, to connection: ConnectionID) -> SendOutcome {
        precondition(frame.count <= maxFrameLength, "TCP carrier: frame of \(frame.count) bytes beyond maxFrameLength \(maxFrameLength)")
        let slot = Int(connection.rawValue & (1 << TCPCarrierConfiguration.slotBits - 1))
        guard slot < configuration.maxConnections, writerIDs[slot] == connection.rawValue, !writerClosing[slot] else {
            return .closed
        }
        markDirty(slot)
        return writerConnections[slot].unsafelyUnwrapped._withUnsafeGuaranteedRef { state in
            if state.socketClosed.load(ordering: .acquiring) { return .closed }
            if state.outbound.append(frame: frame) { return .sent }
            state.sendBlocked.store(true, ordering: .sequentiallyConsistent)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            return state.outbound.append(frame: frame) ? .sent : .wouldBlock
        }
    }

    /// Hands the I/O thread every connection sent to since the last flush, and wakes it
    /// (one eventfd write) if it sleeps.
    public func flush() {
        guard dirtyCount > 0 else { return }
        for index in 0..<dirtyCount {
            let slot = Int(dirtyList[index])
            dirty[slot] = false
            guard writerIDs[slot] != 0 else { continue }
            let first = writerConnections[slot].unsafelyUnwrapped._withUnsafeGuaranteedRef {
                !$0.requested.exchange(true, ordering: .sequentiallyConsistent)
            }
            if first {
                // Never full: a slot is queued at most once while `requested` is set.
                _ = loop.requests.push(UInt32(slot))
            }
        }
        dirtyCount = 0
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if loop.sleeping.load(ordering: .relaxed), loop.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            loop.signal()
        }
    }

    /// Closes `connection` once its queued frames are written out (within
    /// ``TCPCarrierConfiguration/closeLinger``); `.closed(connection, .closedLocally)` follows.
    /// Later sends answer `.closed`.
    public func close(_ connection: ConnectionID) {
        let slot = Int(connection.rawValue & (1 << TCPCarrierConfiguration.slotBits - 1))
        guard slot < configuration.maxConnections, writerIDs[slot] == connection.rawValue, !writerClosing[slot] else { return }
        writerClosing[slot] = true
        writerConnections[slot].unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.closeRequested.store(true, ordering: .releasing) }
        markDirty(slot)
        flush()
    }

    /// Stops the I/O thread, closes the listener and every connection, and frees everything.
    /// No events follow. Idempotent.
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        loop.stopRequested.store(true, ordering: .sequentiallyConsistent)
        runner.stop()
        loop.signal()
        runner.join()
        loop.closeEverything()
    }

    private func markDirty(_ slot: Int) {
        guard !dirty[slot] else { return }
        dirty[slot] = true
        dirtyList[dirtyCount] = UInt32(slot)
        dirtyCount += 1
    }
}
