import Foundation
import Frames
import Glibc
import Harness
import ShmRing
import Synchronization
import Timeline

/// Runs one repetition of a timeline case in the lab process: a fresh segment (stamps and
/// control block), the server peer on CPU 1, then the tail subscriber and the producers on
/// CPU 0, then (for the select cases) the select client on CPU 0; checks what the server's
/// stat segment counted, stops everything, and returns the figures. Whatever happens, every
/// peer still running is killed, the segment and anything left under the server's name in
/// /dev/shm are unlinked, and the data directory is removed.
enum TimelineHarness {
    /// The figures of one run.
    struct Outcome {
        /// Loaded-phase events per second, from the first write to the last producer's
        /// closing select.
        let eventsPerSecond: Double
        /// Insert to visible, one probe in flight.
        let probe: LatencyHistogram.Percentiles
        /// Insert to visible while the producers write flat out.
        let loaded: LatencyHistogram.Percentiles
        /// Insert to visible, one probe in flight, read by a thread blocking in
        /// `TimelineTail.next()`.
        let blockingProbe: LatencyHistogram.Percentiles
        /// Insert to visible, one probe in flight, written and read back by one thread of
        /// the subscriber (no CPU handed over between them).
        let ownProbe: LatencyHistogram.Percentiles
        /// Pipelined top-10 selects per second and one-at-a-time round trips (select cases).
        let select: (opsPerSecond: Double, roundTrip: LatencyHistogram.Percentiles)?
        /// Times the server's poll thread went to sleep on its doorbell while the producers
        /// ran (loaded phase and probes), from its stat segment.
        let serverSleeps: UInt64
    }

    /// The CPU of the server's threads.
    static let serverCPU = 1
    /// The CPU of the producers, the subscriber and the select client.
    static let clientCPU = 0
    /// How long any one phase may take before the run fails (and its peers are killed).
    static let phaseTimeout = Duration.seconds(60)

    private static let counter = Atomic<Int>(0)

    /// Runs `timelineCase` once with `sizes`; `seed` varies the select keys per run.
    static func run(_ timelineCase: TimelineCase, _ sizes: TimelineSizes, seed: Int) throws -> Outcome {
        let id = "\(getpid())-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        let segmentName = "/ringside-lab-tl-\(id)"
        let serverName = "ringside-lab-tls-\(id)"
        let events = sizes.events(timelineCase)
        let producers = TimelineSizes.producers
        let segment = try SharedMemorySegment.create(
            name: segmentName,
            regionSizes: [TimelineStamps.regionSize(producers: producers, events: events), TimelineControl.regionSize])
        defer { try? SharedMemorySegment.unlink(name: segmentName) }
        guard let controlRegion = segment.unsafeRegionBytes(1) else { throw LabError("\(segmentName): no control region") }
        let control = try TimelineControl(controlRegion)
        var directory: String?
        if timelineCase.durable {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("ringside-lab-timeline-\(id)").path
            try FileManager.default.createDirectory(atPath: directory!, withIntermediateDirectories: true)
        }
        defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
        let peers = TimelinePeerSet(segment: segmentName)
        defer {
            peers.killAll()
            unlinkSegments(of: serverName)
        }

        let server = try peers.spawn(
            TimelineServerPeer.role, cpu: serverCPU, endpoint: "shm:\(serverName)", encoding: .binary,
            TimelineServerPeer.arguments(tcp: timelineCase.tcp, dataDirectory: directory))
        try peers.wait(for: "the server to start", timeout: phaseTimeout) { control.serverReady.pointee.load(ordering: .acquiring) != 0 }
        let endpoint = timelineCase.tcp ? "tcp:127.0.0.1:\(control.serverPort.pointee.load(ordering: .relaxed))" : "shm:\(serverName)"

        let subscriber = try peers.spawn(
            TimelineSubscriberPeer.role, cpu: clientCPU, endpoint: endpoint, encoding: timelineCase.encoding,
            TimelineSubscriberPeer.arguments(producers: producers, events: events, tailKeys: sizes.tailKeys, probes: sizes.probes))
        try peers.wait(for: "the subscriber's tails", timeout: phaseTimeout) {
            control.subscriberReady.pointee.load(ordering: .acquiring) != 0
        }
        var producerPeers: [ChildProcess] = []
        for producer in 0 ..< producers {
            producerPeers.append(try peers.spawn(
                TimelineProducerPeer.role, cpu: clientCPU, endpoint: endpoint, encoding: timelineCase.encoding,
                TimelineProducerPeer.arguments(
                    producer: producer, producers: producers, events: events, tailKeys: sizes.tailKeys,
                    probes: producer == 0 ? sizes.probes : 0, batch: timelineCase.batch)))
        }
        try peers.wait(for: "the producers to connect", timeout: phaseTimeout) {
            control.producersReady.pointee.load(ordering: .acquiring) == Int64(producers)
        }
        control.go.pointee.store(1, ordering: .releasing)
        for producer in producerPeers { try peers.waitForExit(producer, timeout: phaseTimeout) }
        let serverSleeps = try stat(serverName)[.doorbellSleeps]
        // The probes: one series to tailed keys (async readers), one to the blocking reader's
        // key, and the subscriber's own (written once it is stopped).
        let expectedEvents = Int64(producers * events + 3 * sizes.probes)
        try peers.wait(for: "the subscriber to hold every tailed event", timeout: phaseTimeout) {
            control.seen.pointee.load(ordering: .acquiring)
                == control.tailedWrites.pointee.load(ordering: .relaxed) + Int64(2 * sizes.probes)
        }
        control.subscriberStop.pointee.store(1, ordering: .releasing)
        try peers.waitForExit(subscriber, timeout: phaseTimeout)
        let errors = control.errors.pointee.load(ordering: .acquiring)
        guard errors == 0 else { throw LabError("\(timelineCase.name): the subscriber got \(errors) events the producers did not write") }

        var select: (Double, LatencyHistogram.Percentiles)?
        if timelineCase.selectCase != nil {
            let client = try peers.spawn(
                TimelineSelectPeer.role, cpu: clientCPU, endpoint: endpoint, encoding: .binary,
                TimelineSelectPeer.arguments(
                    pipelined: sizes.pipelinedSelects, window: sizes.selectWindow, roundTrips: sizes.roundTrips, seed: seed,
                    budget: sizes.selectBudget))
            try peers.waitForExit(client, timeout: phaseTimeout)
            select = (Double(bitPattern: UInt64(bitPattern: control.selectRate.pointee.load(ordering: .acquiring))),
                      control.percentiles(.selectRoundTrip))
        }

        // The server's own count: every write of the workload changes the set.
        var applied: UInt64 = 0
        var cutOff: UInt64 = 0
        try peers.wait(for: "the server's stat to count \(expectedEvents) writes", timeout: .seconds(5)) {
            guard let stat = try? stat(serverName) else { return false }
            (applied, cutOff) = (stat[.writesApplied], stat[.tailsCutOff])
            return applied >= UInt64(expectedEvents)
        }
        guard applied == UInt64(expectedEvents), cutOff == 0 else {
            throw LabError("\(timelineCase.name): the server applied \(applied) of \(expectedEvents) writes and cut off \(cutOff) tails")
        }
        control.serverStop.pointee.store(1, ordering: .releasing)
        try peers.waitForExit(server, timeout: .seconds(10))

        let seconds = Double(control.endNanos.pointee.load(ordering: .acquiring) - control.startNanos.pointee.load(ordering: .acquiring)) / 1e9
        return Outcome(
            eventsPerSecond: Double(producers * events) / seconds, probe: control.percentiles(.probe),
            loaded: control.percentiles(.loaded), blockingProbe: control.percentiles(.probeBlocking), ownProbe: control.percentiles(.probeOwn), select: select.map { (opsPerSecond: $0.0, roundTrip: $0.1) },
            serverSleeps: serverSleeps)
    }

    /// One reading of server `name`'s stat segment.
    private static func stat(_ name: String) throws -> ServerStat {
        do {
            return try StatSegmentReader.read(server: name)
        } catch {
            throw LabError("cannot read the stat of server \(name): \(error)")
        }
    }

    /// Unlinks whatever server `name` left in /dev/shm (it is killed on a failure, before
    /// its clean stop could unlink its segments).
    private static func unlinkSegments(of name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm") else { return }
        for entry in entries where entry.hasPrefix(name + "-") {
            try? SharedMemorySegment.unlink(name: "/" + entry)
        }
    }
}

/// The peers of one timeline run: started with the run's segment and their CPU, watched
/// while the lab waits (one that fails fails the run), killed when the run ends.
final class TimelinePeerSet {
    private let segment: String
    private var running: [ChildProcess] = []

    init(segment: String) {
        self.segment = segment
    }

    deinit { killAll() }

    /// Starts `role` with `SEGMENT CPU ENDPOINT ENCODING` and `arguments`.
    func spawn(
        _ role: String, cpu: Int, endpoint: String, encoding: TimelineEncoding, _ arguments: [String]
    ) throws -> ChildProcess {
        let peer = try PeerProcess.spawn(
            role: role, arguments: [segment, String(cpu), endpoint, TimelinePeer.text(encoding)] + arguments)
        running.append(peer)
        return peer
    }

    /// Polls every millisecond until `condition` holds; throws when a peer fails or after
    /// `timeout`, naming `what`.
    func wait(for what: String, timeout: Duration, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            try reap()
            guard ContinuousClock.now < deadline else { throw LabError("timed out after \(timeout) waiting for \(what)") }
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
    }

    /// Waits until `peer` has exited with status 0 (and no other peer failed).
    func waitForExit(_ peer: ChildProcess, timeout: Duration) throws {
        try wait(for: "\(peer.role) (pid \(peer.pid)) to finish", timeout: timeout) {
            !running.contains { $0 === peer }
        }
    }

    /// Kills every peer still running.
    func killAll() {
        for peer in running { peer.kill() }
        running.removeAll()
    }

    /// Forgets the peers that exited; throws if one failed.
    private func reap() throws {
        for peer in running {
            guard let ended = peer.poll() else { continue }
            running.removeAll { $0 === peer }
            try peer.expectSuccess(ended)
        }
    }
}
