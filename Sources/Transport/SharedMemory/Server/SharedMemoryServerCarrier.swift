import Posix
import ShmRing
import Synchronization

/// The server side of the shared-memory carrier (see <doc:SharedMemoryHandshake>): it owns
/// the control segment `/NAME-ctl`, accepts clients through its connect ring, and moves whole
/// frames through each client's duplex channel without a system call per message.
///
/// One thread (the server's single writer) calls every method. Between polls that found
/// nothing it sleeps on ``doorbell``, which clients ring after they write:
///
/// ```swift
/// let carrier = try SharedMemoryServerCarrier(configuration: .init(name: "ringside"))
/// while running {
///     if carrier.poll(limit: 256, handle) == 0 {
///         let ticket = carrier.doorbell.prepareToSleep()
///         if carrier.poll(limit: 256, handle) > 0 { carrier.doorbell.cancelSleep() }
///         else { carrier.doorbell.sleep(ticket, timeout: .milliseconds(100)) }
///     }
///     carrier.flush()
/// }
/// carrier.shutdown()
/// ```
///
/// `@unchecked Sendable`: the object holds no thread-affine state, so it may be handed to the
/// thread that runs the server loop; the protocol's rule (one caller at a time) is the
/// caller's to keep, as for every ``ServerCarrier``.
public final class SharedMemoryServerCarrier: ServerCarrier, @unchecked Sendable {
    /// The segment names of this server.
    public let names: SharedMemoryNames
    /// The settings it was started with.
    public let configuration: SharedMemoryServerConfiguration
    /// The largest frame ``send(_:to:)`` takes: an eighth of the server → client ring.
    public let maxFrameLength: Int
    /// This server process, as recorded in every channel it accepts.
    public let identity: ProcessIdentity
    /// Connect requests dropped or refused so far.
    public internal(set) var rejectedConnectCount: UInt64 = 0
    /// Why the latest connect request was dropped or refused.
    public internal(set) var lastRejection: String?
    /// Clients connected now.
    public var connectionCount: Int { pollState.active.count }

    /// The doorbell the server loop sleeps on: clients ring it after writing, and other
    /// carriers (TCP) may ring it too. It lives in the control segment.
    public var doorbell: Doorbell { control.doorbell }

    let control: ControlBlock
    let connectRing: ManyToOneRing
    /// The state every poll touches, in memory of its own that lives as long as the carrier,
    /// reached through `pollState` (``CarrierPollState`` says why). Safe: one thread at a
    /// time calls the carrier (the protocol's rule), and no access overlaps another (none
    /// spans a call out: a handler's event is copied out of `pendingEvents` before the call).
    private let unsafePollState: UnsafeMutablePointer<CarrierPollState>
    /// The poll state, by address.
    var pollState: CarrierPollState {
        unsafeAddress { UnsafePointer(unsafePollState) }
        unsafeMutableAddress { unsafePollState }
    }
    /// Slots free for the next client.
    var freeSlots: [Int]
    /// Connections accepted so far (the high bits of the next id).
    var serial: UInt64 = 0
    /// The time as last read (monotonic nanoseconds): at the end of a poll that took its
    /// whole limit or came ``pollsPerClockRead`` polls after the last read, and after a wait,
    /// so that a poll's frames are read and answered before the clock is (liveness and
    /// heartbeats need coarse time only, and a clock read costs as much as an idle poll).
    var now: Int64 {
        get { pollState.now }
        set { pollState.now = newValue }
    }
    /// Polls between clock reads while polls do not take their whole limit (a saturated
    /// poll reads it every time: the deferred wakes of ``flush()`` count on it, and the
    /// read is small beside such a poll's work).
    static let pollsPerClockRead = 16
    let livenessNanoseconds: Int64
    /// Set when the connect ring is found corrupt: no more connects are accepted.
    var connectRingFailure: RingError?
    /// While saturated, a sleeping client is woken at most once per this many nanoseconds
    /// (``flush()``).
    static let wakeInterval: Int64 = 1_000_000

    /// Starts a server: reclaims a stale control segment and stale channels under the same
    /// name (their owners are gone), then creates `/NAME-ctl` (mode 0600). Fails with
    /// ``TransportError/invalidArgument(_:)`` when a live server already holds the name.
    public init(configuration: SharedMemoryServerConfiguration = .init()) throws(TransportError) {
        try configuration.validate()
        let names = try SharedMemoryNames(server: configuration.name)
        guard let identity = ProcessIdentity.current() else {
            throw .system(SystemCallError(SystemCall("read /proc/self/stat"), .current))
        }
        let segment: SharedMemorySegment
        do {
            segment = try SharedMemorySegment.create(
                name: names.control,
                regionSizes: [ControlBlock.length, RingLayout.regionSize(capacity: configuration.connectRingCapacity)])
        } catch {
            if case .ownerAlive(let pid) = error.reason {
                throw .invalidArgument("a server named '\(names.server)' is already running (pid \(pid))")
            }
            throw TransportError(segment: error)
        }
        Self.reclaimStaleChannels(names)
        do {
            connectRing = try ManyToOneRing(segment: segment, region: 1)
        } catch {
            try? SharedMemorySegment.unlink(name: names.control)
            throw .invalidArgument("connect ring: \(error)")
        }
        guard let block = segment.unsafeRegionBytes(0)?.baseAddress else {
            try? SharedMemorySegment.unlink(name: names.control)
            throw .invalidArgument("control segment has no region 0")
        }
        self.names = names
        self.configuration = configuration
        self.identity = identity
        self.maxFrameLength = RingLayout.maxMessageLength(capacity: configuration.serverToClientCapacity)
        self.control = ControlBlock(unsafeBase: block)
        self.freeSlots = Array((0..<configuration.maxClients).reversed())
        let livenessNanoseconds = SharedMemoryClock.nanoseconds(configuration.livenessInterval)
        self.livenessNanoseconds = livenessNanoseconds
        let now = SharedMemoryClock.now()
        unsafePollState = .allocate(capacity: 1)
        unsafePollState.initialize(to: CarrierPollState(maxClients: configuration.maxClients, now: now, liveness: livenessNanoseconds))
        control.initialise(maxClients: configuration.maxClients,
                           inboundCapacity: configuration.clientToServerCapacity,
                           outboundCapacity: configuration.serverToClientCapacity, now: now)
    }

    deinit {
        shutdown()
        unsafePollState.deinitialize(count: 1)
        unsafePollState.deallocate()
    }

    /// Delivers queued events, runs the liveness pass when due, accepts waiting clients, then
    /// reads each channel in turn (starting one further each poll), all within `limit` events.
    /// Every record is checked: a channel whose ring cannot be framed is reported
    /// ``CarrierEvent/malformed(_:reason:)`` once and not read again.
    public func poll(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        guard limit > 0 else { return 0 }
        // Every step's "nothing to do" is tested here, inline: an idle poll calls nothing
        // (each call it made to find its list empty cost a frame's set-up and tear-down).
        // The last poll's drained clients, when no flush came between (nothing was sent):
        // a flush wakes them first.
        if pollState.owedWakes > 0 { flush() } else if !pollState.wakeList.isEmpty { wakeDrainedClients() }
        pollState.polling = true
        var delivered = pollState.pendingEvents.isEmpty ? 0 : deliverPending(limit: limit, handler)
        if !pollState.isShutDown {
            if now >= pollState.nextLiveness {
                pollState.nextLiveness = now &+ livenessNanoseconds
                checkLiveness()
            }
            if delivered < limit && connectRingFailure == nil && connectRing.occupiedBytes != 0 {
                delivered += acceptConnects(limit: limit - delivered, handler)
            }
            if delivered < limit { delivered += readChannels(limit: limit - delivered, handler) }
        }
        pollState.polling = false
        pollState.saturated = delivered >= limit
        if !pollState.retireList.isEmpty { retire() }
        pollState.pollsSinceClock += 1
        if pollState.saturated || pollState.pollsSinceClock >= Self.pollsPerClockRead { readClock() }
        return delivered
    }

    /// Reads the clock into ``now`` and stores it as the server's heartbeat. Out of line: the
    /// poll calls it once in 16, and inlined, its `timespec` on the stack made every poll
    /// pay for a stack protector.
    @inline(never)
    func readClock() {
        pollState.pollsSinceClock = 0
        now = SharedMemoryClock.now()
        control.heartbeat = now
    }

    /// Copies `frame` into the client's ring: ``SendOutcome/wouldBlock`` when it is full,
    /// ``SendOutcome/closed`` when the connection has ended. A frame longer than
    /// ``maxFrameLength`` is a caller's bug: the connection is closed rather than the frame cut.
    public func send(_ frame: UnsafeRawBufferPointer, to connection: ConnectionID) -> SendOutcome {
        // Unretained: the table keeps the channel alive throughout the call (it leaves the
        // table only in `retire()`, never from here). A retained lookup cost two retains and
        // two releases per frame (the channel's and its ring's), each a locked instruction.
        guard let entry = unretainedChannel(connection) else { return .closed }
        return entry._withUnsafeGuaranteedRef { send(frame, on: $0, connection) }
    }

    /// ``send(_:to:)`` on the live channel of `connection`.
    private func send(_ frame: UnsafeRawBufferPointer, on channel: ServerChannel, _ connection: ConnectionID) -> SendOutcome {
        guard !channel.retiring, !channel.outboundBroken else { return .closed }
        guard frame.count <= maxFrameLength else {
            close(connection, reason: "frame of \(frame.count) bytes exceeds the \(maxFrameLength)-byte ring record")
            return .closed
        }
        do {
            switch try channel.outbound.write(type: ChannelRecord.frame, bytes: frame) {
            case .written:
                if !channel.sentSinceFlush {
                    channel.sentSinceFlush = true
                    pollState.flushList.append(channel.slot)
                }
                return .sent
            case .full:
                return .wouldBlock
            }
        } catch {
            channel.outboundBroken = true
            channel.stopReading = true
            pollState.pendingEvents.append(.malformed(connection, reason: "server → client ring: \(error)"))
            return .closed
        }
    }

    /// Rings, once for the batch, the doorbell of each client sent to since the last flush,
    /// when that client has announced that it sleeps (one fence for the batch, then a load per
    /// client; a futex wake only for sleepers).
    ///
    /// While the server is saturated (its last poll took its whole limit), a sleeper woken
    /// less than ``wakeInterval`` (1 ms) ago is woken later instead: a tail subscriber that
    /// gets an event in most batches of a flood would otherwise cost a futex wake here (and a
    /// sleep announcement there) per batch. The wake is owed, not lost: the client stays on
    /// the list and every later poll flushes again, so it is rung within the interval, or at
    /// the first flush after the server stops being saturated, whichever comes first. A client
    /// that is not asleep needs no ring: it finds the frames when it re-checks before sleeping.
    ///
    /// The clients sent to are rung first, then those whose rings the last poll drained
    /// (``wakeDrainedClients()``): a frame's reader waits for no writer's futex wake.
    public func flush() {
        wakeReaders()
        wakeDrainedClients()
    }

    /// The first half of ``flush()``: rings the clients sent to since the last flush.
    private func wakeReaders() {
        guard !pollState.flushList.isEmpty else { return }
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        var kept = 0
        for index in 0..<pollState.flushList.count {  // by index: an iterator would keep the buffer shared
            guard let channel = pollState.slots[pollState.flushList[index]] else { continue }
            if channel.doorbell.hasSleeper {
                if pollState.saturated && !channel.retiring && now &- channel.lastWoken < Self.wakeInterval {
                    pollState.flushList[kept] = pollState.flushList[index]
                    kept += 1
                    continue
                }
                channel.lastWoken = now
                channel.doorbell.ring()
            }
            channel.sentSinceFlush = false
        }
        while pollState.flushList.count > kept { pollState.flushList.removeLast() }  // removeLast(_:) allocates in a debug build
        pollState.owedWakes = kept
    }

    /// Closes a connection after the frames already sent (a close record follows them); the
    /// `.closed(id, .closedLocally)` event comes with the next poll.
    public func close(_ connection: ConnectionID) {
        close(connection, reason: "closed by the server")
    }

    /// Closes every connection (reason `server shut down`; each gets a `.closed(id, .shutdown)`
    /// event, delivered by a later poll), marks the control block shut down and unlinks every
    /// segment. Idempotent.
    public func shutdown() {
        guard !pollState.isShutDown else { return }
        pollState.isShutDown = true
        for slot in pollState.active {
            guard let channel = pollState.slots[slot] else { continue }
            guard !channel.retiring else { continue }
            channel.announceClose("server shut down")
            end(channel, event: .closed(channel.id, .shutdown))
        }
        retire()
        control.state = ControlBlock.shutDown
        try? SharedMemorySegment.unlink(name: names.control)
    }

    /// Sleeps on ``doorbell`` until a client rings it, at most `timeout` (keep it at or below
    /// the liveness interval, so dead clients are still noticed in time). Announces the sleep,
    /// then re-checks for work (queued events, connect requests, records in any channel), so
    /// a ring between the last poll and the sleep is never missed. Spurious returns happen:
    /// poll again. Wakes that ``flush()`` put off go out first.
    ///
    /// ```swift
    /// while running {
    ///     if carrier.poll(limit: 256, handle) == 0 { carrier.waitForWork(timeout: .milliseconds(100)) }
    ///     carrier.flush()
    /// }
    /// ```
    public func waitForWork(timeout: Duration) {
        if pollState.owedWakes > 0 {  // about to sleep: the server is not saturated, nothing is put off
            pollState.saturated = false
            flush()  // wakes the drained clients first
        } else {
            wakeDrainedClients()
        }
        let ticket = doorbell.prepareToSleep()
        if hasPendingWork {
            doorbell.cancelSleep()
            return
        }
        doorbell.sleep(ticket, timeout: timeout)
        readClock()
    }

    /// Whether a poll now would find something: queued events, a connect request, or records
    /// in a channel still read.
    var hasPendingWork: Bool {
        if !pollState.pendingEvents.isEmpty || !pollState.retireList.isEmpty { return true }
        if connectRingFailure == nil && connectRing.occupiedBytes != 0 { return true }
        for slot in pollState.active {
            guard let channel = pollState.slots[slot], !channel.stopReading else { continue }
            if channel.inbound.occupiedBytes != 0 || channel.block.state != .accepted { return true }
        }
        return false
    }

    /// The live channel of `connection`, or nil.
    func channel(_ connection: ConnectionID) -> ServerChannel? {
        unretainedChannel(connection)?.takeUnretainedValue()
    }

    /// The live channel of `connection`, unretained (valid while it is in the table), or nil.
    func unretainedChannel(_ connection: ConnectionID) -> Unmanaged<ServerChannel>? {
        let slot = Int(truncatingIfNeeded: connection.rawValue & ((1 << SharedMemoryServerConfiguration.slotBits) - 1))
        return pollState.slots.withUnsafeBufferPointer { slots in
            guard slot < slots.count, let channel = slots[slot], channel.id == connection else { return nil }
            return Unmanaged.passUnretained(channel)
        }
    }

    /// Closes `connection` with `reason` for the client; `.closed(.closedLocally)` is queued.
    func close(_ connection: ConnectionID, reason: String) {
        guard let channel = channel(connection), !channel.retiring else { return }
        channel.announceClose(reason)
        end(channel, event: nil)
        pollState.pendingEvents.append(.closed(connection, .closedLocally))
    }

    /// Marks `channel` ended and unlinks its segment at once (a dead client's only when it is
    /// stale, as ShmRing's reclaim checks), before any event says so; the channel leaves the
    /// table at the next retirement. Queues `event` if given.
    func end(_ channel: ServerChannel, event: CarrierEvent?) {
        guard !channel.retiring else { return }
        channel.retiring = true
        if channel.clientDead {
            _ = try? SharedMemorySegment.reclaimIfStale(name: channel.segmentName)
        } else {
            try? SharedMemorySegment.unlink(name: channel.segmentName)
        }
        pollState.retireList.append(channel.slot)
        if let event { pollState.pendingEvents.append(event) }
    }

    /// Unlinks channel segments of this server's name whose owners are gone: by the owner in
    /// the header (ShmRing's reclaim), or, for a segment whose header never got written (its
    /// client died while creating it), by the pid in its name when no process has that pid.
    private static func reclaimStaleChannels(_ names: SharedMemoryNames) {
        let prefix = String(names.channelPrefix.dropFirst())
        guard let stale = try? Sys.sharedMemoryNames(withPrefix: prefix) else { return }
        for name in stale {
            do { _ = try SharedMemorySegment.reclaimIfStale(name: name) } catch {
                guard case .validateHeader = error.operation, let pid = names.channelPid(name),
                      ProcessIdentity.of(pid: pid) == nil else { continue }
                try? SharedMemorySegment.unlink(name: name)
            }
        }
    }
}
