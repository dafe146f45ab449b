import CRingside
import DrainLoop
import Frames
import Glibc
import Posix
import ShmRing
import Synchronization

/// The TCP server carrier's I/O thread: one edge-triggered epoll set over the listener, an
/// eventfd and every connection. It accepts, reads into pooled buffers, splits frames and
/// posts them to the writer through the inbound ring (ringing the server's doorbell once per
/// turn when the writer sleeps), and writes each connection's outbound queue with one
/// `writev` when the writer asks (``IndexQueue`` of slots plus the eventfd).
///
/// Bounds: a connection whose output backs up (the socket is full) is not read until its
/// queue is written out, so a peer that does not read cannot make the server buffer more;
/// when the inbound ring is full nothing is read until the writer has consumed; a partial
/// frame is held up to the inbound limit. Idle, the thread sleeps in `epoll_wait`.
final class TCPEventLoop: @unchecked Sendable {
    // @unchecked: the `var`s and `connections` entries are written on the I/O thread only
    // (the writer reads an entry only after the ring published it, see ``TCPConnection``);
    // everything the writer shares is an atomic or a single-producer single-consumer queue.

    /// The epoll tag of the listener.
    private static let listenerTag = UInt64.max
    /// The epoll tag of the wake-up eventfd.
    private static let wakeupTag = UInt64.max - 1
    /// Connections accepted per turn before the others get a look.
    private static let acceptsPerTurn = 64
    /// How long accepting pauses when the process is out of descriptors or memory.
    static let acceptPause: Duration = .milliseconds(100)

    let configuration: TCPCarrierConfiguration
    let listener: Int32
    let epoll: Int32
    /// The eventfd the writer signals (a flush while the I/O thread sleeps, room in the ring).
    let wakeup: Int32
    /// I/O thread to writer: frames and connection events.
    let inbound: OneToOneRing
    /// The server's doorbell, rung after posting when the writer sleeps.
    let doorbell: Doorbell
    /// Writer to I/O thread: slots with new output or a close request.
    let requests: IndexQueue
    /// Writer to I/O thread: slots of connections whose `.closed` the writer has consumed.
    let returns: IndexQueue
    /// The slots' connections, created on first use and kept for reuse.
    let connections: UnsafeMutablePointer<TCPConnection?>
    /// Set while the I/O thread sleeps or is about to (the writer's flush then signals).
    let sleeping = Atomic<Bool>(false)
    /// Set by the I/O thread when the inbound ring was full (the writer's poll then signals).
    let inboundStalled = Atomic<Bool>(false)
    /// Set by the carrier's shutdown.
    let stopRequested = Atomic<Bool>(false)
    /// Connections accepted and closed at once because every slot was taken.
    let rejectedConnections = Atomic<Int>(0)

    private let pool: BufferPool
    private let events: UnsafeMutableBufferPointer<epoll_event>
    private let scratch: UnsafeMutableRawBufferPointer
    private var recycledSlots: [UInt32] = []
    private var unusedSlot: UInt32 = 0
    private var inputList: [UInt32] = []
    private var closing: [UInt32] = []
    private var serial: UInt64 = 0
    private var ringFull = false
    private var postedThisTurn = false
    private var roomThisTurn = false
    /// Events `epoll_wait` returned while sleeping, for the next turn.
    private var readyFromSleep = 0
    /// When accepting resumes, while it is paused.
    private var acceptsResumeAt: ContinuousClock.Instant?

    init(configuration: TCPCarrierConfiguration, listener: Int32, doorbell: Doorbell) throws(TransportError) {
        self.configuration = configuration
        self.listener = listener
        self.doorbell = doorbell
        do {
            let segment = try SharedMemorySegment.anonymous(regionSizes: [RingLayout.regionSize(capacity: configuration.inboundCapacity)])
            inbound = try OneToOneRing(segment: segment, region: 0)
        } catch {
            throw .invalidArgument("TCP carrier: cannot make its inbound ring: \(error)")
        }
        epoll = try TCPSocket.system { () throws(SystemCallError) in try Sys.epollCreate() }
        do {
            wakeup = try TCPSocket.system { () throws(SystemCallError) in try Sys.eventfd(flags: Int32(EFD_NONBLOCK)) }
        } catch {
            TCPSocket.closeQuietly(epoll)
            throw error
        }
        let (epoll, wakeup) = (self.epoll, self.wakeup)
        do throws(TransportError) {
            try TCPSocket.system { () throws(SystemCallError) in
                try Sys.epollControl(epoll, EPOLL_CTL_ADD, listener, events: EPOLLIN.rawValue, data: Self.listenerTag)
                try Sys.epollControl(epoll, EPOLL_CTL_ADD, wakeup, events: EPOLLIN.rawValue, data: Self.wakeupTag)
            }
        } catch {
            TCPSocket.closeQuietly(wakeup)
            TCPSocket.closeQuietly(epoll)
            throw error
        }
        requests = IndexQueue(minimumCapacity: configuration.maxConnections)
        returns = IndexQueue(minimumCapacity: configuration.maxConnections)
        connections = .allocate(capacity: configuration.maxConnections)
        connections.initialize(repeating: nil, count: configuration.maxConnections)
        pool = BufferPool(bufferSize: configuration.readBufferSize, capacity: configuration.readBufferCount)
        events = .allocate(capacity: 256)
        scratch = .allocate(byteCount: 1 << 16, alignment: 64)
        recycledSlots.reserveCapacity(configuration.maxConnections)
        inputList.reserveCapacity(configuration.maxConnections)
        closing.reserveCapacity(configuration.maxConnections)
    }

    deinit {
        connections.deinitialize(count: configuration.maxConnections)
        connections.deallocate()
        events.deallocate()
        scratch.deallocate()
        TCPSocket.closeQuietly(wakeup)
        TCPSocket.closeQuietly(epoll)
    }

    // MARK: The duty cycle

    /// One turn: the writer's requests, input work left from the last turn, then what epoll
    /// has ready (without waiting). Returns how much it did (0: nothing, time to sleep).
    func turn() throws(SystemCallError) -> Int {
        var work = drainReturns() + drainRequests()
        work += serviceInputList()
        let ready = readyFromSleep > 0 ? readyFromSleep : try Sys.epollWait(epoll, events, timeoutMilliseconds: 0)
        readyFromSleep = 0
        for index in 0..<ready {
            dispatch(events[index])
        }
        work += ready
        if !closing.isEmpty { work += expireCloses() }
        if acceptsResumeAt != nil { work += resumeAcceptingIfDue() }
        if postedThisTurn || roomThisTurn {
            postedThisTurn = false
            roomThisTurn = false
            doorbell.ring()
        }
        return work
    }

    /// The idle strategy: after a turn that did nothing, announce sleep, re-check the writer's
    /// queue, then sleep in `epoll_wait` until something is ready (at most 20 ms while closes
    /// are pending or accepting is paused); the next turn handles what it returned.
    func idle(_ work: Int) {
        guard work == 0 else { return }
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if !requests.isEmpty || stopRequested.load(ordering: .sequentiallyConsistent) || !inputList.isEmpty && !ringFull {
            sleeping.store(false, ordering: .relaxed)
            return
        }
        let timeout: Int32 = closing.isEmpty && acceptsResumeAt == nil ? -1 : 20
        readyFromSleep = (try? Sys.epollWait(epoll, events, timeoutMilliseconds: timeout)) ?? 0
        sleeping.store(false, ordering: .relaxed)
    }

    /// Wakes the I/O thread from its sleep (or makes its next sleep return at once).
    func signal() {
        _ = try? Sys.eventfdSignal(wakeup)
    }

    private func dispatch(_ event: epoll_event) {
        let tag = event.data.u64
        if tag == Self.listenerTag {
            acceptConnections()
            return
        }
        if tag == Self.wakeupTag {
            _ = try? Sys.eventfdDrain(wakeup)
            return
        }
        let slot = Int(tag & (1 << TCPCarrierConfiguration.slotBits - 1))
        guard slot < Int(unusedSlot), let connection = connections[slot],
              connection.id.rawValue == tag, connection.descriptor >= 0 else { return }
        let flags = event.events
        let output = flags & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        let input = flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if output {
            connection.writable = true
            writeOut(connection)
        }
        if input {
            connection.readable = true
            if flags & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { connection.peerHungUp = true }
            serviceInput(connection)
        }
    }

    // MARK: Slots and accepting

    /// Takes back the slots the writer is done with.
    private func drainReturns() -> Int {
        var count = 0
        while let slot = returns.pop() {
            connections[Int(slot)]!.recycle()
            recycledSlots.append(slot)
            count += 1
        }
        return count
    }

    private func takeSlot() -> UInt32? {
        if let slot = recycledSlots.popLast() { return slot }
        if drainReturns() > 0 { return recycledSlots.popLast() }
        guard Int(unusedSlot) < configuration.maxConnections else { return nil }
        unusedSlot += 1
        return unusedSlot - 1
    }

    private func acceptConnections() {
        for _ in 0..<Self.acceptsPerTurn {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor: Int32
            do throws(SystemCallError) {
                descriptor = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemCallError) in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                        try Sys.accept4(listener, address, &length, flags: Int32(SOCK_NONBLOCK.rawValue))
                    }
                }
            } catch where error.errno == Errno(rawValue: ECONNABORTED) {
                continue
            } catch where error.errno == .wouldBlock {
                return
            } catch {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: the backlog keeps the connections; pause
                // accepting rather than spin on a listener that stays readable.
                pauseAccepting()
                return
            }
            guard let slot = takeSlot(), let connection = connection(at: slot) else {
                TCPSocket.closeQuietly(descriptor)
                rejectedConnections.add(1, ordering: .relaxed)
                continue
            }
            try? TCPSocket.configureConnection(descriptor)
            serial += 1
            let id = ConnectionID(rawValue: serial << TCPCarrierConfiguration.slotBits | UInt64(slot))
            connection.open(descriptor: descriptor, id: id, peer: TCPAddress(socketAddress: storage)?.description ?? "?")
            let interest = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
            do throws(SystemCallError) {
                try Sys.epollControl(epoll, EPOLL_CTL_ADD, descriptor, events: interest, data: id.rawValue)
            } catch {
                TCPSocket.closeQuietly(descriptor)
                connection.descriptor = -1
                connection.phase = .free
                recycledSlots.append(slot)
                continue
            }
            serviceInput(connection)
        }
    }

    /// Takes the listener out of the epoll set for ``acceptPause``.
    private func pauseAccepting() {
        guard acceptsResumeAt == nil else { return }
        _ = try? Sys.epollControl(epoll, EPOLL_CTL_MOD, listener, events: 0, data: Self.listenerTag)
        acceptsResumeAt = .now + Self.acceptPause
    }

    /// Puts the listener back once the pause is over; returns whether it did.
    private func resumeAcceptingIfDue() -> Int {
        guard let resumeAt = acceptsResumeAt, resumeAt <= .now else { return 0 }
        acceptsResumeAt = nil
        _ = try? Sys.epollControl(epoll, EPOLL_CTL_MOD, listener, events: EPOLLIN.rawValue, data: Self.listenerTag)
        return 1
    }

    /// The connection object of `slot`, made on first use (nil if its queue cannot be mapped).
    private func connection(at slot: UInt32) -> TCPConnection? {
        if let existing = connections[Int(slot)] { return existing }
        guard let made = try? TCPConnection(
            slot: slot, outboundCapacity: configuration.outboundCapacity, pool: pool,
            limit: configuration.maxInboundFrameLength) else {
            recycledSlots.append(slot)
            return nil
        }
        connections[Int(slot)] = made
        return made
    }

    // MARK: Input

    /// Services the connections left with input work (read budget spent, ring full, output
    /// drained after back-pressure).
    private func serviceInputList() -> Int {
        if ringFull {
            guard inbound.capacity - inbound.occupiedBytes >= inbound.capacity / 4 else { return 0 }
            ringFull = false
        }
        guard !inputList.isEmpty else { return 0 }
        let count = inputList.count
        var serviced = 0
        for index in 0..<count {
            let slot = inputList[index]
            let connection = connections[Int(slot)]!
            connection.onInputList = false
            if ringFull {
                addToInputList(connection)
            } else {
                serviceInput(connection)
                serviced += 1
            }
        }
        inputList.removeFirst(count)
        return ringFull ? 0 : serviced
    }

    private func addToInputList(_ connection: TCPConnection) {
        guard !connection.onInputList else { return }
        connection.onInputList = true
        inputList.append(connection.slot)
    }

    /// The inbound ring had no room: wait for the writer to consume (it signals).
    private func stall(_ connection: TCPConnection) {
        ringFull = true
        inboundStalled.store(true, ordering: .sequentiallyConsistent)
        addToInputList(connection)
    }

    /// Moves a connection's input along as far as it can go now: its `.opened` record, the
    /// complete frames it holds, more reads while the socket has bytes, the budget lasts, and
    /// its output is not backed up; then its `.malformed` or `.closed` record.
    private func serviceInput(_ connection: TCPConnection) {
        switch connection.phase {
        case .free:
            return
        case .draining:
            discardInput(connection)
            return
        case .flushing:
            return
        case .closed:
            postClosed(connection)
            return
        case .malformed:
            postMalformed(connection)
            return
        case .open:
            break
        }
        if !connection.openedPosted {
            guard InboundRecord.postOpened(inbound, id: connection.id, peer: connection.peer) else { return stall(connection) }
            connection.openedPosted = true
            postedThisTurn = true
        }
        var reads = 0
        while true {
            var kept = false
            do throws(FrameAssemblyError) {
                let posted = try connection.assembler.drainFrames { frame, allocation in
                    guard post(frame, allocation: allocation, for: connection.id) else {
                        kept = true
                        return .keep
                    }
                    // Copied into the ring, or handed over in its allocation.
                    return InboundRecord.fitsRing(inbound, frameLength: frame.count) ? .consumed : .adopted
                }
                if posted > 0 { postedThisTurn = true }
            } catch {
                connection.assembler.releaseBuffer()
                connection.phase = .malformed
                connection.pendingMalformed = error.description
                postMalformed(connection)
                return
            }
            if kept { return stall(connection) }
            if let ending = connection.ending {
                end(connection, ending)
                return
            }
            guard connection.readable, !connection.outputBackedUp else { return }
            guard reads < configuration.readsPerTurn else { return addToInputList(connection) }
            reads += 1
            let descriptor = connection.descriptor
            var short = false
            do throws(SystemCallError) {
                let count = try connection.assembler.fill { (room) throws(SystemCallError) -> Int in
                    let count = try Sys.read(descriptor, into: room)
                    short = count < room.count
                    return count
                }
                if count == 0 {
                    connection.ending = .peerClosed
                } else if short, !connection.peerHungUp {
                    // Edge-triggered: bytes arriving after this read raise a new event.
                    connection.readable = false
                }
            } catch where error.errno == .wouldBlock {
                connection.readable = false
            } catch {
                connection.ending = .ioError(error)
            }
        }
    }

    /// Posts one frame: in the ring when it fits, else as a large frame in its allocation
    /// (adopted by the writer). False when the ring is full.
    private func post(_ frame: UnsafeRawBufferPointer, allocation: UnsafeMutableRawBufferPointer?, for id: ConnectionID) -> Bool {
        if InboundRecord.fitsRing(inbound, frameLength: frame.count) {
            return InboundRecord.postFrame(inbound, id: id, frame)
        }
        // Only a frame longer than a pool buffer outgrows the ring (validated sizes), and such
        // a frame always sits in an allocation of its own.
        return InboundRecord.postLargeFrame(inbound, id: id, allocation: allocation!)
    }

    private func postMalformed(_ connection: TCPConnection) {
        guard let reason = connection.pendingMalformed else { return }
        guard InboundRecord.postMalformed(inbound, id: connection.id, reason: reason) else { return stall(connection) }
        connection.pendingMalformed = nil
        postedThisTurn = true
    }

    /// Ends a connection: closes its socket (if still open) and posts `.closed` once every
    /// record before it is in.
    private func end(_ connection: TCPConnection, _ reason: CarrierCloseReason) {
        if connection.descriptor >= 0 {
            TCPSocket.closeQuietly(connection.descriptor)
            connection.descriptor = -1
            connection.socketClosed.store(true, ordering: .releasing)
            connection.assembler.releaseBuffer()
        }
        if connection.closeDeadline != nil {
            connection.closeDeadline = nil
            closing.removeAll { $0 == connection.slot }
        }
        connection.phase = .closed
        connection.ending = reason
        postClosed(connection)
    }

    private func postClosed(_ connection: TCPConnection) {
        guard let reason = connection.ending else { return }
        guard connection.openedPosted else {
            // The writer never heard of it: the slot is free again at once.
            connection.ending = nil
            connection.recycle()
            recycledSlots.append(connection.slot)
            return
        }
        guard InboundRecord.postClosed(inbound, id: connection.id, reason: reason) else { return stall(connection) }
        connection.ending = nil
        postedThisTurn = true
    }

    // MARK: Output and closing

    /// Takes the writer's requests: for each slot, a close request if any, then its output.
    private func drainRequests() -> Int {
        var count = 0
        while let slot = requests.pop() {
            count += 1
            guard let connection = connections[Int(slot)] else { continue }
            connection.requested.store(false, ordering: .sequentiallyConsistent)
            if connection.closeRequested.load(ordering: .acquiring) { beginClose(connection) }
            writeOut(connection)
        }
        return count
    }

    /// Writes what the connection's queue holds with one `sendmsg` (a `writev` of two regions
    /// when the queue wraps).
    private func writeOut(_ connection: TCPConnection) {
        switch connection.phase {
        case .open, .malformed, .flushing: break
        case .free, .draining, .closed: return
        }
        guard connection.writable else { return }
        let (first, second) = connection.outbound.pending()
        let total = first.count + second.count
        guard total > 0 else {
            if connection.phase == .flushing { shutDownOutput(connection) }
            return
        }
        var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count))
        var written = 0
        do throws(SystemCallError) {
            written = try withUnsafeMutablePointer(to: &vectors) { pair throws(SystemCallError) in
                try pair.withMemoryRebound(to: iovec.self, capacity: 2) { vector throws(SystemCallError) in
                    try Sys.send(connection.descriptor, vectors: vector, count: second.count > 0 ? 2 : 1)
                }
            }
        } catch where error.errno == .wouldBlock {
            written = 0
        } catch {
            fail(connection, error)
            return
        }
        if written > 0 {
            connection.outbound.consume(written)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            if connection.sendBlocked.load(ordering: .relaxed),
               connection.sendBlocked.exchange(false, ordering: .sequentiallyConsistent) {
                roomThisTurn = true
            }
        }
        if written < total {
            connection.writable = false
            connection.outputBackedUp = true
            return
        }
        if connection.outputBackedUp {
            connection.outputBackedUp = false
            if connection.readable, connection.phase == .open { addToInputList(connection) }
        }
        if connection.phase == .flushing, connection.outbound.isEmpty { shutDownOutput(connection) }
    }

    /// A write failed for good: the connection ends after the frames already read.
    private func fail(_ connection: TCPConnection, _ error: SystemCallError) {
        if connection.phase == .open {
            connection.ending = .ioError(error)
            connection.readable = false
            serviceInput(connection)
        } else {
            end(connection, connection.phase == .malformed ? .ioError(error) : .closedLocally)
        }
    }

    /// A close on request: stop reading, write out what is queued (``writeOut(_:)`` then
    /// shuts the socket down for writing), all within the linger time.
    private func beginClose(_ connection: TCPConnection) {
        switch connection.phase {
        case .open, .malformed: break
        case .free, .flushing, .draining, .closed: return
        }
        if connection.phase == .open, connection.ending != nil { return }  // already ending
        connection.phase = .flushing
        connection.pendingMalformed = nil
        connection.assembler.releaseBuffer()
        connection.closeDeadline = .now + configuration.closeLinger
        closing.append(connection.slot)
    }

    /// Output written out: send FIN, then discard input until the peer closes, so that
    /// closing never resets the connection under data the peer has not read yet.
    private func shutDownOutput(_ connection: TCPConnection) {
        _ = try? Sys.shutdown(connection.descriptor, Int32(SHUT_WR))
        connection.phase = .draining
        connection.readable = true
        discardInput(connection)
    }

    private func discardInput(_ connection: TCPConnection) {
        for _ in 0..<configuration.readsPerTurn {
            do throws(SystemCallError) {
                if try Sys.read(connection.descriptor, into: scratch) == 0 { return end(connection, .closedLocally) }
            } catch where error.errno == .wouldBlock {
                connection.readable = false
                return
            } catch {
                return end(connection, .closedLocally)
            }
        }
        addToInputList(connection)
    }

    /// Ends the closes whose linger time has run out.
    private func expireCloses() -> Int {
        let now = ContinuousClock.now
        var expired = 0
        var index = 0
        while index < closing.count {
            let connection = connections[Int(closing[index])]!
            if let deadline = connection.closeDeadline, deadline <= now {
                expired += 1
                end(connection, .closedLocally)  // removes it from `closing`
            } else {
                index += 1
            }
        }
        return expired
    }

    // MARK: Shutdown

    /// After the I/O thread has stopped: closes every socket and frees what the ring still
    /// holds. On the thread that shut the carrier down.
    func closeEverything() {
        TCPSocket.closeQuietly(listener)
        for slot in 0..<Int(unusedSlot) {
            guard let connection = connections[slot], connection.descriptor >= 0 else { continue }
            TCPSocket.closeQuietly(connection.descriptor)
            connection.descriptor = -1
            connection.socketClosed.store(true, ordering: .releasing)
            connection.assembler.releaseBuffer()
        }
        _ = try? inbound.read { type, payload in InboundRecord.discard(type: type, payload: payload) }
    }
}

/// The agent that runs a ``TCPEventLoop`` on its own thread.
struct TCPEventLoopAgent: Agent {
    let loop: TCPEventLoop

    var roleName: String { "tcp-io" }

    mutating func doWork() throws -> Int {
        try loop.turn()
    }
}
