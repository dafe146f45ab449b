import Frames
import LWWSet
import Posix
import ShmRing
import Synchronization
import Transport

/// What the server's poll thread knows of one connection. A class, so that a request
/// updates it through a dictionary read (a dictionary's in-place `_modify` allocates its
/// coroutine frame in a debug build).
final class ConnectionInfo {
    /// The carrier's index in the server's list.
    let carrier: Int
    /// The encoding its SETUP chose (nil before it).
    var encoding: TimelineEncoding?
    /// Its entry in the stat segment's table, when listed.
    var statEntry: Int?
    /// Requests received, and the count last stored in the stat segment.
    var requests: UInt64 = 0
    var publishedRequests: UInt64 = 0
    /// The shared-memory client, once its channel was inspected.
    var client: ProcessIdentity?

    init(carrier: Int) { self.carrier = carrier }
}

/// The flags the server and its poll thread share.
final class ServerControl: Sendable {
    /// Set when the server stops: the poll thread commits the log at once instead of
    /// waiting for the flusher, so every answer goes out before the connections close.
    let stopping = Atomic<Bool>(false)
    /// The transport server's counters, stored once it runs (the stat segment copies them).
    let transportCounters = AtomicLazyReference<ServerCounters>()
}

/// The timeline server's ``Responder``: on the transport's poll thread (the single writer) it
/// hands each request to the ``TimelineEngine``, applies them at the end of each poll batch,
/// answers through ``ServerReplies``, feeds tails under REQUEST_N credit, and keeps the
/// journal and the stat segment up to date.
final class TimelineResponder: Responder {
    let engine: TimelineEngine
    let replies: ServerReplies
    let durability: TimelineDurability?
    let stat: StatSegmentWriter?
    let control: ServerControl
    /// The carrier kind of each carrier index, as the stat segment numbers them (1 shm, 2 tcp).
    let carrierKinds: [UInt64]
    /// The shared-memory carrier (index 0), for its channels' state.
    let sharedMemory: SharedMemoryServerCarrier?

    private var connections: [UInt64: ConnectionInfo] = [:]
    /// The connection a request came from last, and its info (frames come in runs from one
    /// connection: spares a table lookup per frame).
    private var lastConnection = UInt64.max
    private var lastInfo: ConnectionInfo?
    /// The journal's write observer of a durable server. Unchecked for exclusivity: passed
    /// `inout` to every apply, it cost a run-time check per batch; nothing the apply calls
    /// reaches it.
    @exclusivity(unchecked) private var observer: JournalWriteObserver?
    private var setupsRefused: UInt64 = 0
    private var reclaimedClients: UInt64 = 0
    /// When the stat segment is next refreshed, and when the set's statistics (and the
    /// snapshot check) are next taken: monotonic nanoseconds.
    private var nextRefresh: Int64 = 0
    private var nextStatistics: Int64 = 0

    /// Queued request bytes at which the requests are applied at once, in the middle of a
    /// poll, instead of at its end: a poll takes up to 256 frames, and 256 batches of 64
    /// writes are 640 KiB of messages and as much again of batch entries, past the cache by
    /// the time they are applied; parts of about 16 KiB (some 400 writes) stay in it. The
    /// engine alone, 300,000 writes in batches of 64, measured a few per cent faster so
    /// (medians 157-158 against 158-169 ns per write, equal minimums). One write per frame
    /// never gets there (256 frames are about 10 KiB).
    static let applyBytes = 16 << 10
    static let refreshInterval: Int64 = 100_000_000
    static let statisticsInterval: Int64 = 1_000_000_000

    init(
        engine: TimelineEngine, durability: TimelineDurability?, stat: StatSegmentWriter?, control: ServerControl,
        carrierKinds: [UInt64], sharedMemory: SharedMemoryServerCarrier?
    ) {
        self.engine = engine
        self.durability = durability
        self.replies = ServerReplies(durability: durability)
        self.stat = stat
        self.control = control
        self.carrierKinds = carrierKinds
        self.sharedMemory = sharedMemory
        self.observer = durability.map { JournalWriteObserver(durability: $0) }
        connections.reserveCapacity(64)
    }

    // MARK: Connections

    func connectionOpened(_ connection: ConnectionID, peer: String) {
        let carrier = Int(connection.rawValue >> 56)
        let info = ConnectionInfo(carrier: carrier)
        let kind = carrier < carrierKinds.count ? carrierKinds[carrier] : 3
        info.statEntry = stat?.openConnection(connection.rawValue, carrier: kind, peer: peer, now: Sys.monotonicNanoseconds())
        connections[connection.rawValue] = info
        if lastConnection == connection.rawValue { lastInfo = info }
    }

    func setup(_ request: SetupRequest, connection: ConnectionID) -> SetupDecision {
        guard let encoding = TimelineEncoding(mimeType: request.unsafeDataMIMEType) else {
            setupsRefused += 1
            return .unsupported(
                "data MIME type '\(request.dataMIMETypeString)' is not served; use "
                    + TimelineEncoding.allCases.map { "'\($0.mimeType)'" }.joined(separator: " or "))
        }
        let info = connections[connection.rawValue] ?? ConnectionInfo(carrier: Int(connection.rawValue >> 56))
        connections[connection.rawValue] = info
        info.encoding = encoding
        if let entry = info.statEntry { stat?.setUp(entry, encoding: encoding == .binary ? 1 : 2) }
        return .accept
    }

    func connectionClosed(_ connection: ConnectionID, reason: CarrierCloseReason) {
        engine.close(TimelineConnection(rawValue: connection.rawValue))
        replies.close(connection.rawValue)
        if lastConnection == connection.rawValue {
            lastConnection = .max
            lastInfo = nil
        }
        guard let info = connections.removeValue(forKey: connection.rawValue) else { return }
        if Self.reclaims(reason, client: info.client) { reclaimedClients += 1 }
        if let entry = info.statEntry { stat?.closeConnection(entry) }
    }

    /// Whether a connection closed for `reason` was a client reclaimed: one the carrier found
    /// dead (even before a stat pass learnt its process), or one whose session gave up on it
    /// (keepalive) whose process is gone; never one that closed cleanly, even when its process
    /// exited before the server read its close.
    static func reclaims(_ reason: CarrierCloseReason, client: ProcessIdentity?) -> Bool {
        switch reason {
        case .peerDied: true
        case .peerClosed, .shutdown: false
        case .ioError, .closedLocally: client.map { !$0.isAlive } ?? false
        }
    }

    // MARK: Requests

    func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {
        guard let encoding = countRequest(connection) else { return }
        engine.submit(
            payload.unsafeData, encoding: encoding, interaction: .fireAndForget,
            connection: TimelineConnection(rawValue: connection.rawValue), token: TimelineReplyToken(rawValue: 0))
        if engine.pendingBytes >= Self.applyBytes { endOfBatch() }
    }

    func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        guard let encoding = countRequest(output.connection) else {
            output.error(.invalid, reason: "request before SETUP")
            return
        }
        let token = replies.open(output, credit: 0, indexed: false)
        engine.submit(
            payload.unsafeData, encoding: encoding, interaction: .requestResponse,
            connection: TimelineConnection(rawValue: output.connection.rawValue), token: token)
        if engine.pendingBytes >= Self.applyBytes { endOfBatch() }
    }

    func requestStream(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput) {
        guard let encoding = countRequest(output.connection) else {
            output.error(.invalid, reason: "request before SETUP")
            return
        }
        let token = replies.open(output, credit: initialDemand, indexed: true)
        engine.submit(
            payload.unsafeData, encoding: encoding, interaction: .requestStream(initialDemand: initialDemand),
            connection: TimelineConnection(rawValue: output.connection.rawValue), token: token)
    }

    func requestChannel(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput) {
        output.error(.invalid, reason: "request-channel carries no timeline request; use request-stream for a tail")
    }

    func demand(credit: UInt32, output: ResponderOutput) {
        guard let token = replies.token(of: output) else { return }
        let increase = replies.grant(token, credit: credit)
        guard increase > 0 else { return }
        var output = replies
        engine.demand(token, increase, into: &output)
    }

    func cancel(output: ResponderOutput) {
        guard let token = replies.token(of: output) else { return }
        engine.cancel(token)
        replies.end(token)
    }

    /// Counts a request of `connection`: its encoding, or nil before SETUP.
    @inline(__always)  // into every request's handler: the call cost a third of the count
    private func countRequest(_ connection: ConnectionID) -> TimelineEncoding? {
        if connection.rawValue == lastConnection, let info = lastInfo, let encoding = info.encoding {
            info.requests &+= 1
            return encoding
        }
        return countRequestLookingUp(connection)
    }

    /// ``countRequest(_:)`` of a connection other than the last one: found in the table
    /// and remembered as the last one.
    @inline(never)
    private func countRequestLookingUp(_ connection: ConnectionID) -> TimelineEncoding? {
        guard let info = connections[connection.rawValue], let encoding = info.encoding else { return nil }
        lastConnection = connection.rawValue
        lastInfo = info
        info.requests &+= 1
        return encoding
    }

    // MARK: The batch and the round

    func endOfBatch() {
        guard engine.pendingCount > 0 else { return }
        var output = replies
        if observer != nil {
            engine.apply(into: &output, observer: &observer!)
        } else {
            engine.apply(into: &output)
        }
    }

    func poll(now: SessionInstant) -> Int {
        var work = 0
        if let durability {
            durability.sealIfNeeded(answersWaiting: replies.waitingCount > 0)
            if replies.waitingCount > 0 && control.stopping.load(ordering: .relaxed) { durability.commitNow() }
            work += replies.releaseDurable()
        }
        if !engine.listedTails.isEmpty {
            var output = replies
            engine.flush(into: &output)
        }
        // The loop's coarse clock, not a clock read of its own: an idle round costs about as
        // much as one read, and the refresh intervals are 100 ms and up.
        let now = now.nanoseconds
        if now >= nextRefresh {
            nextRefresh = now &+ Self.refreshInterval
            refresh(now)
        }
        return work
    }

    /// Ends every tail: completed when it got every event, failed saying how many it missed
    /// otherwise (`TimelineEngine.endTails(into:)`).
    func willShutDown() {
        var output = replies
        engine.endTails(into: &output)
    }

    /// Refreshes the stat segment before the loop sleeps, so that an idle server's
    /// counters are exact (`ringside insert` then `ringside stat` shows the insert), not up
    /// to a refresh interval old.
    func willSleep() {
        let now = Sys.monotonicNanoseconds()
        nextRefresh = now &+ Self.refreshInterval
        refresh(now)
    }

    // MARK: The stat segment

    /// Stores the heartbeat, the counters and the connections' state.
    private func refresh(_ now: Int64) {
        let statistics: LWWSet.Statistics?
        if now >= nextStatistics {
            nextStatistics = now &+ Self.statisticsInterval
            let current = engine.set.statistics
            durability?.snapshotIfNeeded(engine.set, liveBytes: Self.liveBytes(current))
            statistics = current
        } else {
            statistics = nil
        }
        guard let stat else { return }
        stat.heartbeat()
        if control.stopping.load(ordering: .relaxed) { stat.setState(.stopping) }
        publishCounters(stat, statistics)
        for (id, info) in connections {
            guard let entry = info.statEntry else { continue }
            if info.requests != info.publishedRequests {
                stat.setRequests(entry, info.requests)
                info.publishedRequests = info.requests
            }
            if info.carrier == 0, let sharedMemory,
               let status = sharedMemory.channelStatus(ConnectionID(rawValue: id & (1 << 56 - 1)), now: now) {
                if info.client == nil { info.client = status.client }
                stat.setChannel(
                    entry, clientPid: status.client.pid, inboundLag: status.inboundLag, outboundLag: status.outboundLag,
                    heartbeatAge: status.clientHeartbeatAge)
            }
        }
    }

    private func publishCounters(_ stat: StatSegmentWriter, _ statistics: LWWSet.Statistics?) {
        let counters = engine.counters
        stat.set(.fireAndForgetRequests, counters.fireAndForgetRequests)
        stat.set(.requestResponseRequests, counters.requestResponseRequests)
        stat.set(.requestStreamRequests, counters.requestStreamRequests)
        stat.set(.inserts, counters.inserts)
        stat.set(.deletes, counters.deletes)
        stat.set(.selects, counters.selects)
        stat.set(.tails, counters.tails)
        stat.set(.insertBatches, counters.insertBatches)
        stat.set(.deleteBatches, counters.deleteBatches)
        stat.set(.selectKeys, counters.selectKeys)
        stat.set(.ranges, counters.ranges)
        stat.set(.invalidRequests, counters.invalidRequests)
        stat.set(.failedRequests, counters.failedRequests)
        stat.set(.unansweredFailures, counters.unansweredFailures)
        stat.set(.writesApplied, counters.writesApplied)
        stat.set(.writesIgnored, counters.writesIgnored)
        stat.set(.tailEventsSent, counters.tailEventsSent)
        stat.set(.tailsCutOff, counters.tailsCutOff)
        stat.set(.activeTails, counters.activeTails)
        stat.set(.setupsRefused, setupsRefused)
        stat.set(.reclaimedClients, reclaimedClients)
        if let transport = control.transportCounters.load() {
            stat.set(.connectionsOpened, transport.connectionsOpened)
            stat.set(.connectionsClosed, transport.connectionsClosed)
            stat.set(.connectionsOpen, transport.connectionsOpen)
            stat.set(.connectionErrors, transport.connectionErrors)
            stat.set(.framesReceived, transport.framesReceived)
            stat.set(.framesSent, transport.framesSent)
            stat.set(.doorbellSleeps, transport.doorbellSleeps)
        }
        if let sharedMemory { stat.set(.shmRejectedConnects, sharedMemory.rejectedConnectCount) }
        if let durability {
            let journal = durability.journal.counters
            stat.set(.logRecords, journal.records)
            stat.set(.logBytes, journal.bytes)
            stat.set(.logFsyncs, journal.fsyncs)
            stat.set(.durableSequence, durability.durableSequence)
            stat.set(.repliesAwaitingDurability, replies.waitingCount)
            stat.set(.snapshotsWritten, durability.snapshotsWritten.load(ordering: .relaxed))
            stat.set(.snapshotsFailed, durability.snapshotsFailed.load(ordering: .relaxed))
        }
        // The counts at every refresh (the set keeps them); the bytes, a walk over every
        // key, only with the statistics of the slower cadence.
        let counts = engine.set.counts
        stat.set(.setKeys, counts.keys)
        stat.set(.setEntries, counts.entries)
        stat.set(.setTombstones, counts.tombstones)
        if let statistics {
            stat.set(.setMemberBytes, statistics.memberBytes)
            stat.set(.setReservedBytes, statistics.reservedBytes)
        }
    }

    /// What a snapshot of a set with these statistics would hold, roughly: one record header
    /// per entry and tombstone, and the members' bytes.
    static func liveBytes(_ statistics: LWWSet.Statistics) -> Int {
        (statistics.entries + statistics.tombstones) * (WriteRecord.headerLength + 8) + statistics.memberBytes
    }
}
