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
/// a connection that holds its share of the inbound ring (at most
/// ``TCPCarrierConfiguration/inboundShare``, less when the writer is slow: about 10 ms of its
/// work; its records the writer has not consumed, see ``InboundShare``) is not read until the
/// writer has consumed a quarter of it, so one peer flooding the server can put no more than its
/// share ahead of another connection's request (the ring is one queue, drained in order: a
/// whole ring of one peer's frames would be seconds of a slow writer's work); when the
/// inbound ring is full nothing is read until the writer has consumed, and the
/// connections that waited get the room first come, first served; a partial
/// frame is held up to the inbound limit. Idle, the thread sleeps in `epoll_wait`.
///
/// The share costs the writer nothing per record: the I/O thread works out what each
/// connection holds from the writer's consumer position, which the ring publishes anyway,
/// and the writer checks one atomic per poll (``shareWake``) to signal when a waiting
/// connection may be read again.
final class TCPEventLoop: @unchecked Sendable {
    // @unchecked: the `var`s and `connections` entries are written on the I/O thread only
    // (the writer reads an entry only after the ring published it, see ``TCPConnection``);
    // everything the writer shares is an atomic or a single-producer single-consumer queue.

    /// The epoll tag of the listener.
    static let listenerTag = UInt64.max
    /// The epoll tag of the wake-up eventfd.
    static let wakeupTag = UInt64.max - 1
    /// Connections accepted per turn before the others get a look.
    static let acceptsPerTurn = 64
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
    /// The writer's consumer position at which the first connection waiting for its share
    /// may be read again, set by the I/O thread before it sleeps (`Int64.max`: none); the
    /// writer's poll signals once its position reaches it, and resets it.
    let shareWake = Atomic<Int64>(.max)
    /// Set by the carrier's shutdown.
    let stopRequested = Atomic<Bool>(false)
    /// The bytes held in long frames' allocations, all connections together.
    let largeFrames: LargeFrameBudget
    /// Connections accepted and closed at once because every slot was taken.
    let rejectedConnections = Atomic<Int>(0)

    let pool: BufferPool
    let events: UnsafeMutableBufferPointer<epoll_event>
    let scratch: UnsafeMutableRawBufferPointer
    var recycledSlots: [UInt32] = []
    var unusedSlot: UInt32 = 0
    var inputList: [UInt32] = []
    /// Connections over their share of the inbound ring, in the order they began waiting.
    var shareWaiters: [UInt32] = []
    /// The least resume position of ``shareWaiters`` (`Int64.max`: none).
    var nextShareResume = Int64.max
    /// Bytes of the inbound ring each connection may hold at most (the configured share).
    let inboundShare: Int
    /// Bytes of the inbound ring each connection may hold now: the configured share or less,
    /// after the writer's pace (see ``measureWriterPace(consumer:tail:)``).
    var currentShare: Int
    /// When and where (the writer's consumer position) the writer's pace was last measured.
    var shareSampleTime = ContinuousClock.now
    var shareSamplePosition: Int64 = 0
    var closing: [UInt32] = []
    var serial: UInt64 = 0
    var ringFull = false
    /// A connection waits for room in ``largeFrames``.
    var budgetFull = false
    var postedThisTurn = false
    var roomThisTurn = false
    /// Events `epoll_wait` returned while sleeping, for the next turn.
    var readyFromSleep = 0
    /// When accepting resumes, while it is paused.
    var acceptsResumeAt: ContinuousClock.Instant?

    init(configuration: TCPCarrierConfiguration, listener: Int32, doorbell: Doorbell) throws(TransportError) {
        self.configuration = configuration
        self.listener = listener
        self.doorbell = doorbell
        inboundShare = configuration.effectiveInboundShare
        currentShare = configuration.effectiveInboundShare
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
                // Edge-triggered: every signal is an event, and the counter is never read back
                // (it would take 2^64 signals to fill).
                try Sys.epollControl(epoll, EPOLL_CTL_ADD, wakeup, events: EPOLLIN.rawValue | EPOLLET.rawValue, data: Self.wakeupTag)
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
        largeFrames = LargeFrameBudget(limit: configuration.maxLargeFrameBytes)
        events = .allocate(capacity: 256)
        scratch = .allocate(byteCount: 1 << 16, alignment: 64)
        recycledSlots.reserveCapacity(configuration.maxConnections)
        inputList.reserveCapacity(configuration.maxConnections)
        shareWaiters.reserveCapacity(configuration.maxConnections)
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

    /// One turn: the writer's requests, input work left from the last turn, then what epoll
    /// returned to the last sleep or, after other work, has ready now. Returns how much it did
    /// (0: nothing, time to sleep).
    func turn() throws(SystemCallError) -> Int {
        var work = drainReturns() + drainRequests()
        work += serviceShareWaiters()
        work += serviceInputList()
        var ready = readyFromSleep
        readyFromSleep = 0
        if ready == 0 && work > 0 {
            // Busy: look at the sockets without waiting. (Idle, ``idle(_:)`` waits for them.)
            ready = try Sys.epollWait(epoll, events, timeoutMilliseconds: 0)
        }
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
    /// queue (and ask the writer to signal when a connection waiting for its share may be read), then sleep in `epoll_wait` until something is ready (at most 20 ms while closes
    /// are pending or accepting is paused); the next turn handles what it returned.
    func idle(_ work: Int) {
        guard work == 0 else { return }
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if !requests.isEmpty || stopRequested.load(ordering: .sequentiallyConsistent) || !inputList.isEmpty && ringReady()
            || armShareWake() {
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
        if tag == Self.wakeupTag { return }  // the wake-up itself was the point
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
            // While the ring is full, room goes to the input list in order (see
            // ``serviceInputList()``): a connection raising input queues at its tail. Serviced
            // here, a peer that keeps sending (a new edge for each of its writes) would take
            // every record the writer frees, room would never add up to the quarter the list
            // waits for, and the connections on it would wait for as long as the peer sends.
            if ringFull { addToInputList(connection) } else { serviceInput(connection) }
        }
    }

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
        _ = try? inbound.read { type, payload in InboundRecord.discard(type: type, payload: payload, budget: largeFrames) }
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
