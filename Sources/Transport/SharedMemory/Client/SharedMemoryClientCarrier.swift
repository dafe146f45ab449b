import CRingside
import Posix
import ShmRing
import Synchronization

/// The client side of the shared-memory carrier (see <doc:SharedMemoryHandshake>): one
/// duplex channel to a server on this machine, found by the server's name.
///
/// ```swift
/// let carrier = try SharedMemoryClientCarrier(configuration: .init(name: "ringside"))
/// while try frame.withUnsafeBytes({ try carrier.send($0) }) == .wouldBlock {
///     try carrier.waitForWork(timeout: .milliseconds(10))
/// }
/// _ = try carrier.receive(limit: 64) { frame in handle(frame) }
/// carrier.close()
/// ```
///
/// Sending and receiving make no system call: a send copies the frame into the ring and rings
/// the server's doorbell, which costs a futex wake only when the server sleeps.
///
/// `@unchecked Sendable`: the object holds no thread-affine state and may move between
/// threads; callers serialise their calls (the connection API holds it behind a lock), as the
/// ``ClientCarrier`` protocol requires.
public final class SharedMemoryClientCarrier: ClientCarrier, @unchecked Sendable {
    /// The server's number for this connection.
    public let connectionID: ConnectionID
    /// The largest frame ``send(_:)`` takes: an eighth of the client → server ring.
    public let maxFrameLength: Int
    /// This connection's channel segment (`/NAME-ch-PID-SEQ`).
    public let channelName: String
    /// The server process (the control segment's owner).
    public let server: ProcessIdentity

    let configuration: SharedMemoryClientConfiguration
    let control: ControlBlock
    /// Keeps the control segment mapped (its block and the server's doorbell live there).
    let connectRing: ManyToOneRing
    let block: ChannelBlock
    /// Client → server records (this side is the only writer).
    let outbound: OneToOneRing
    /// Server → client records (this side consumes).
    let inbound: OneToOneRing
    let serverDoorbell: Doorbell
    let doorbell: Doorbell
    let livenessNanoseconds: Int64
    let silenceNanoseconds: Int64

    // The stored `var`s below are `@exclusivity(unchecked)`: each access to a class's stored
    // `var` pays a run-time exclusivity check, and every receive and send reads two or three
    // of them. Safe: callers serialise their calls (see above), and no access spans a call
    // that touches the same property.

    /// Set by ``close()``.
    @exclusivity(unchecked) var closedLocally = false
    /// Why the connection is gone, once it is (sticky).
    @exclusivity(unchecked) var gone: TransportError?
    /// When the server's liveness is next checked (monotonic nanoseconds).
    @exclusivity(unchecked) var nextLivenessCheck: Int64
    /// The server's consumer position when a send last found the ring full.
    @exclusivity(unchecked) var blockedAt: Int64?
    /// Receives in a row that found nothing: the clock (for the liveness check) is read on
    /// every ``emptyReceivesPerClockRead``-th only, since a spinning caller polls far more
    /// often than a liveness interval (``waitForWork(timeout:)`` checks before every sleep).
    @exclusivity(unchecked) var emptyReceives = 0
    /// See ``emptyReceives``.
    static let emptyReceivesPerClockRead = 64
    /// Spin-loop hints ``waitForWork(timeout:)`` spends watching a full ring for room before
    /// it announces sleep: some tens of microseconds, a few of the server's batches.
    static let roomSpins = 1_024

    /// Connects to the server named in `configuration`: ``TransportError/serverNotFound(_:)``
    /// when none runs, ``TransportError/refused(_:)`` when it refuses,
    /// ``TransportError/timedOut(_:)`` when it does not answer in time.
    public init(configuration: SharedMemoryClientConfiguration = .init()) throws(TransportError) {
        try configuration.validate()
        let attached = try Attachment.connect(configuration)
        self.configuration = configuration
        self.connectionID = ConnectionID(rawValue: attached.block.connection)
        self.channelName = attached.channelName
        self.server = attached.server
        self.control = attached.control
        self.connectRing = attached.connectRing
        self.block = attached.block
        self.outbound = attached.outbound
        self.inbound = attached.inbound
        self.serverDoorbell = attached.control.doorbell
        self.doorbell = attached.block.doorbell
        self.maxFrameLength = attached.outbound.maxMessageLength
        self.livenessNanoseconds = SharedMemoryClock.nanoseconds(configuration.livenessInterval)
        self.silenceNanoseconds = SharedMemoryClock.nanoseconds(configuration.serverSilenceLimit)
        let now = SharedMemoryClock.now()
        self.nextLivenessCheck = now &+ livenessNanoseconds
        inbound.consumerHeartbeat = now
    }

    deinit { close() }

    /// Copies `frame` into the ring and rings the server's doorbell: ``SendOutcome/wouldBlock``
    /// when the ring is full (the server's liveness is checked then, at most once per liveness
    /// interval). Throws ``TransportError/closed`` after ``close()``, the reason once the
    /// server is gone, and ``TransportError/invalidArgument(_:)`` for a frame longer than
    /// ``maxFrameLength``.
    public func send(_ frame: UnsafeRawBufferPointer) throws(TransportError) -> SendOutcome {
        try write(count: frame.count) { record in
            if let source = frame.baseAddress { record.baseAddress!.copyMemory(from: source, byteCount: frame.count) }
        }
    }

    /// Sends the frame of `count` bytes that `encode` writes straight into the ring's record
    /// (no copy), then rings the server's doorbell; as ``send(_:)`` otherwise. `encode` gets
    /// exactly `count` bytes, must write them all and must not call the carrier; it is called
    /// only when the outcome is ``SendOutcome/sent`` (when the ring is full nothing is
    /// written). A connection's fire-and-forget writes through it directly
    /// (``ConnectionCore/sendFireAndForget(dataCount:wait:_:)``); marked to be inlined, it is
    /// specialised at least for each caller's closure (the ring's write and `encode` in one
    /// function).
    @inline(__always)
    func write(count: Int, _ encode: (UnsafeMutableRawBufferPointer) -> Void) throws(TransportError) -> SendOutcome {
        if closedLocally { throw .closed }
        if let gone { throw gone }
        guard count <= maxFrameLength else {
            throw .invalidArgument("frame of \(count) bytes; at most \(maxFrameLength) in one ring record")
        }
        if block.state != .accepted { throw finish(reason: channelEnded()) }
        do {
            switch try outbound.write(type: ChannelRecord.frame, length: count, encode) {
            case .written:
                blockedAt = nil
                serverDoorbell.ring()
                return .sent
            case .full:
                blockedAt = outbound.consumerPosition
                try checkServer(now: SharedMemoryClock.now())
                return .wouldBlock
            }
        } catch {
            throw finish(reason: .protocolViolation("client → server ring: \(error)"))
        }
    }

    /// Delivers up to `limit` frames, in order; frees their space at once and rings the
    /// server's doorbell (it may wait for room). With nothing to deliver it throws if the
    /// server closed the channel or is gone (its liveness checked at most once per liveness
    /// interval, and looked at only every 64th empty receive: no clock read per poll).
    public func receive(limit: Int, _ handler: (UnsafeRawBufferPointer) -> Void) throws(TransportError) -> Int {
        if closedLocally { throw .closed }
        let state = block.state  // before the drain: frames sent before a close come first
        var read = ChannelRead()
        do {
            try inbound.readChannel(limit: limit, into: &read, stop: { false }, handler)
        } catch {
            throw finish(reason: .protocolViolation("server → client ring: \(error)"))
        }
        // Room for a server that waits for it: a fence and a wake only when the server has
        // announced sleep. The check skips the fence (which would wait here for the freed
        // lines to leave this core, on every round trip's critical path): a server that
        // announced sleep in the instant between is missed, and retries its backlog within
        // its 1 ms backlog sleep. A close record always rings.
        if read.sawClose || (read.frames > 0 && serverDoorbell.hasSleeper) { serverDoorbell.ring() }
        if read.frames > 0 { return read.frames }
        if let badType = read.badType { throw finish(reason: .protocolViolation("server → client ring: record type \(badType) (1: frame, 2: close)")) }
        if let gone { throw gone }
        if read.sawClose || state != .accepted { throw finish(reason: channelEnded()) }
        emptyReceives &+= 1
        if emptyReceives >= Self.emptyReceivesPerClockRead {
            emptyReceives = 0
            try checkServer(now: SharedMemoryClock.now())
        }
        return 0
    }

    /// Sleeps on this channel's doorbell until the server rings it (a frame arrived, or it
    /// drained the ring this side is blocked on), at most `timeout` and at most one liveness
    /// interval; announces the sleep first and re-checks, so no wake-up is missed. Blocked on a
    /// full ring, it first spins a little for room (``roomSpins``). Returns at once when there
    /// is something to receive; throws when the server is gone and nothing is left to receive.
    public func waitForWork(timeout: Duration) throws(TransportError) {
        guard let ticket = try announceSleep(awaitingRoom: true) else { return }
        doorbell.sleep(ticket, timeout: min(timeout, configuration.livenessInterval))
    }

    /// A reader's sleep on this channel's doorbell, announced after the checks
    /// ``waitForWork(timeout:)`` makes (the connection, frames unread, the server's liveness,
    /// the channel's state) but for room to send, which a reader does not wait for; nil when
    /// frames or the channel's end are there now. The caller sleeps it, with or without its
    /// lock, while this carrier lives.
    public func prepareSleep(timeout: Duration) throws(TransportError) -> CarrierSleep? {
        guard let ticket = try announceSleep(awaitingRoom: false) else { return nil }
        return CarrierSleep(doorbell: doorbell, ticket: ticket, timeout: min(timeout, configuration.livenessInterval))
    }

    /// This client's doorbell, which the server rings and ``prepareSleep(timeout:)``'s sleeps
    /// wait on.
    public var sleepDoorbell: Doorbell? { doorbell }

    /// True: an empty receive loads the ring's positions and the channel's state, nothing more.
    public var receivesFromMemory: Bool { true }

    /// The checks before a sleep, the announcement and the re-check: the ticket to sleep on,
    /// or nil when there is something to do now (frames, the channel's end, and with
    /// `awaitingRoom` room after a full ring, which it first spins a little for).
    private func announceSleep(awaitingRoom: Bool) throws(TransportError) -> UInt32? {
        if closedLocally { throw .closed }
        if hasInbound { return nil }
        if let gone { throw gone }
        try checkServer(now: SharedMemoryClock.now())
        if awaitingRoom && blockedAt != nil {
            // A full ring: the server is draining it, and frees room once per batch, within
            // microseconds. Spin for that first: announcing sleep costs a membarrier (an
            // interrupt on the server's CPU, in the middle of its batch) and the wake-up a
            // futex call on the server, each time a flooding sender finds the ring full.
            for _ in 0..<Self.roomSpins {
                if roomAppeared || hasInbound { return nil }
                ringside_cpu_relax()
            }
        }
        let ticket = doorbell.prepareToSleep()
        if hasInbound || (awaitingRoom && roomAppeared) || block.state != .accepted {
            doorbell.cancelSleep()
            return nil
        }
        return ticket
    }

    /// Closes the connection (idempotent): a close record after the frames already sent (when
    /// the ring has room), the state moved to closed by the client, the server's doorbell
    /// rung, and the channel segment unlinked. Later calls throw ``TransportError/closed``.
    public func close() {
        guard !closedLocally else { return }
        closedLocally = true
        if gone == nil && block.state == .accepted {
            let reason = ChannelRecord.reasonBytes("closed by the client")
            _ = try? reason.withUnsafeBytes { raw throws(RingError) in try outbound.write(type: ChannelRecord.close, bytes: raw) }
            _ = block.transition(from: .accepted, to: .closedByClient)
            serverDoorbell.ring()
        }
        try? SharedMemorySegment.unlink(name: channelName)
    }

    /// Whether the server has written records not yet received.
    private var hasInbound: Bool { inbound.producerPosition != inbound.consumerPosition }

    /// Whether the server consumed since a send found the ring full.
    private var roomAppeared: Bool {
        guard let blockedAt else { return false }
        return outbound.consumerPosition != blockedAt
    }

    /// Why the channel is no longer accepted, read from its block.
    private func channelEnded() -> TransportError {
        switch block.state {
        case .closedByServer: .serverGone("the server closed the connection: \(block.reason)")
        case .accepted: .serverGone("the server closed the connection")
        case let state: .protocolViolation("channel state \(state.map { "\($0)" } ?? "invalid") on an open connection")
        }
    }

    /// Records why the connection is gone and returns it, to throw.
    private func finish(reason: TransportError) -> TransportError {
        if gone == nil { gone = reason }
        return gone ?? reason
    }

    /// Once per liveness interval: stores this side's heartbeat and checks the server (its
    /// process, the control state, its heartbeat's age); throws when it is gone.
    func checkServer(now: Int64) throws(TransportError) {
        if let gone { throw gone }
        guard now >= nextLivenessCheck else { return }
        nextLivenessCheck = now &+ livenessNanoseconds
        inbound.consumerHeartbeat = now
        if !server.isAlive {
            throw finish(reason: .serverGone("server pid \(server.pid) exited"))
        }
        if control.state != ControlBlock.running {
            throw finish(reason: .serverGone("the server shut down"))
        }
        let silence = now &- control.heartbeat
        if silence > silenceNanoseconds {
            throw finish(reason: .serverGone("no heartbeat from server pid \(server.pid) for \(silence / 1_000_000) ms"))
        }
    }
}
