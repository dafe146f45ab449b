import Dispatch
import Foundation
import Synchronization
import Timeline

/// The tail subscriber of a timeline run: one client connection following the first
/// `TAIL_KEYS` keys of the workload (one tail each, read as `AsyncSequence`s, as an
/// application would, by tasks that prefer the client's executor: each is resumed on the
/// connection thread that read its event), timing each event the moment it holds it against the producer's
/// stamp of that write: loaded-phase events against ``TimelineStamps``, probes against
/// ``TimelineControl/probeStamp``. Every event is checked against the workload (its key is
/// the one the producer wrote it to). Beside them, on a client of its own, a plain thread
/// follows ``blockingProbeKey`` with the blocking `TimelineTail.next()` and times the
/// blocking probes the same way (no task, no thread hop between the connection and the
/// reader). Each event held is counted in ``TimelineControl/seen``, which a probe's producer
/// waits for. Once stopped, before it stores its figures, it writes probes of its own
/// (``OwnProbes``): the same path from a write to a tail, with no CPU handed between the
/// writer and the reader.
enum TimelineSubscriberPeer {
    static let role = "timeline-subscribe"

    /// The key of the blocking probes (outside the workload's keys).
    static let blockingProbeKey = Array("probe-blocking".utf8)

    /// The arguments after the common four.
    static func arguments(producers: Int, events: Int, tailKeys: Int, probes: Int) -> [String] {
        [producers, events, tailKeys, probes].map(String.init)
    }

    /// What the tails' tasks share. @unchecked Sendable: the control block and the stamps
    /// are shared memory read and written only through atomics; the rest is immutable.
    private struct Shared: @unchecked Sendable {
        let control: TimelineControl
        let stamps: TimelineStamps
        let workload: TimelineWorkload
    }

    /// One tail's figures: insert-to-visible of loaded-phase events and of probes.
    private struct Figures: Sendable {
        var loaded = LatencyHistogram()
        var probes = LatencyHistogram()
    }

    /// Peer role: `... PRODUCERS EVENTS TAIL_KEYS PROBES`; follows the tails until
    /// ``TimelineControl/subscriberStop``, then writes its `PROBES` own probes and stores
    /// every histogram's figures.
    @Sendable
    static func peer(_ arguments: [String]) throws {
        try TimelinePeer.run(arguments) { peer in
            let (producers, events, tailKeys) = (try peer.integer(0), try peer.integer(1), try peer.integer(2))
            let probes = try peer.integer(3)
            let shared = Shared(
                control: peer.control, stamps: try TimelineStamps(peer.stampRegion, producers: producers, events: events),
                workload: TimelineWorkload())
            let client = try peer.connect()
            defer { client.close() }
            let tails = try (0 ..< tailKeys).map { try client.tail(key: shared.workload.keys[$0]) }
            // One connection's requests are handled in order: once this is answered, the
            // server holds every tail.
            _ = try client.select(key: shared.workload.keys[0], offset: 0, limit: 1)
            let blockingClient = try peer.connect()
            defer { blockingClient.close() }
            let probeTail = try blockingClient.tail(key: blockingProbeKey)
            _ = try blockingClient.select(key: blockingProbeKey, offset: 0, limit: 1)
            let blocking = BlockingReader(probeTail, shared)
            let own = try OwnProbes(peer.connect())
            defer { own.close() }

            let outcome = Mutex<Result<Figures, any Error>?>(nil)
            let done = DispatchSemaphore(value: 0)
            let task = Task {
                let result: Result<Figures, any Error>
                do {
                    result = .success(try await withThrowingTaskGroup(of: Figures.self) { group in
                        // On the client's executor: each tail's task is resumed by the thread
                        // that read its event (no hop to the global pool).
                        for tail in tails { group.addTask(executorPreference: client.executor) { try await follow(tail, shared) } }
                        var total = Figures()
                        for try await figures in group {
                            total.loaded.add(figures.loaded)
                            total.probes.add(figures.probes)
                        }
                        return total
                    })
                } catch {
                    result = .failure(error)
                }
                outcome.withLock { $0 = result }
                done.signal()
            }
            peer.control.subscriberReady.pointee.store(1, ordering: .releasing)
            defer { task.cancel() }
            try peer.sleep(until: peer.control.subscriberStop)
            task.cancel()
            done.wait()
            probeTail.cancel()
            let blockingProbes = try blocking.join()
            let figures = try outcome.withLock { $0 }!.get()
            let ownProbes = try own.run(probes, errors: peer.control.errors)
            peer.control.store(figures.loaded.percentiles, as: .loaded)
            peer.control.store(figures.probes.percentiles, as: .probe)
            peer.control.store(blockingProbes.percentiles, as: .probeBlocking)
            peer.control.store(ownProbes.percentiles, as: .probeOwn)
        }
    }

    /// The plain thread that reads the blocking probes' tail with `TimelineTail.next()` until
    /// the tail is cancelled, timing each probe against ``TimelineControl/probeStamp``; an
    /// error ends it and fails the peer.
    private final class BlockingReader: Sendable {
        private let outcome = Mutex<Result<LatencyHistogram, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(_ tail: TimelineTail, _ shared: Shared) {
            Thread { [self] in
                var probes = LatencyHistogram()
                let control = shared.control
                let result: Result<LatencyHistogram, any Error>
                do {
                    while let event = try tail.next() {
                        let now = monotonicNanos()
                        defer { control.noteSeen() }
                        guard event.kind == .insert, event.key == blockingProbeKey, TimelineWorkload.parse(member: event.member) != nil else {
                            control.errors.pointee.wrappingAdd(1, ordering: .relaxed)
                            continue
                        }
                        probes.record(now &- control.probeStamp.pointee.load(ordering: .relaxed))
                    }
                    // The lab's stop cancels the tail: next() then returns nil.
                    result = .success(probes)
                } catch {
                    result = .failure(error)
                }
                outcome.withLock { $0 = result }
                done.signal()
            }.start()
        }

        /// Waits for the thread (the tail cancelled) and returns its figures.
        func join() throws -> LatencyHistogram {
            done.wait()
            return try outcome.withLock { $0 }!.get()
        }
    }

    /// The subscriber's own probes: one thread writes an insert to ``key`` (fire-and-forget),
    /// then reads it back from its tail with the blocking `TimelineTail.next()`, on a client
    /// of its own, one probe in flight. Write and sighting are stamped by the same thread,
    /// which keeps its CPU throughout (while the producers' probes hand CPU 0 from the
    /// producer to the subscriber): what the service's path from a write to a tail costs
    /// without the scheduler in it.
    private struct OwnProbes {
        /// The key of the own probes (outside the workload's keys).
        static let key = Array("probe-own".utf8)

        private let client: TimelineClient
        private let tail: TimelineTail

        /// Tails ``key`` on `client`; returns once the server holds the tail.
        init(_ client: TimelineClient) throws {
            self.client = client
            tail = try client.tail(key: Self.key)
            _ = try client.select(key: Self.key, offset: 0, limit: 1)
        }

        /// Writes `probes` probes one at a time and times each from just before its write to
        /// the tail handing it back; an event that is not the probe just written counts in
        /// `errors`.
        func run(_ probes: Int, errors: UnsafeMutablePointer<Atomic<Int64>>) throws -> LatencyHistogram {
            var histogram = LatencyHistogram()
            var member = [UInt8](repeating: 0, count: TimelineWorkload.memberLength)
            for index in 0 ..< probes {
                member.withUnsafeMutableBytes { TimelineWorkload.writeMember(producer: 0, index: index, into: $0) }
                let start = monotonicNanos()
                try client.insert(key: Self.key, score: TimelineWorkload.score(index: index), member: member, delivery: .fireAndForget)
                guard let event = try tail.next() else { throw LabError("the tail of the own probes ended at probe \(index)") }
                let now = monotonicNanos()
                guard event.kind == .insert, event.key == Self.key, event.member == member else {
                    errors.pointee.wrappingAdd(1, ordering: .relaxed)
                    continue
                }
                histogram.record(now &- start)
            }
            return histogram
        }

        /// Cancels the tail and closes the client.
        func close() {
            tail.cancel()
            client.close()
        }
    }

    /// Reads `tail` until the task is cancelled, timing and checking each event.
    private static func follow(_ tail: TimelineTail, _ shared: Shared) async throws -> Figures {
        var figures = Figures()
        let control = shared.control
        do {
            for try await event in tail {
                let now = monotonicNanos()
                // Counted once timed: a producer waiting for its probe goes on from here.
                defer { control.noteSeen() }
                guard event.kind == .insert, let (producer, index) = TimelineWorkload.parse(member: event.member),
                      producer < shared.stamps.producers,
                      event.key == shared.workload.keys[shared.workload.keyIndex(producer: producer, index: index)] else {
                    control.errors.pointee.wrappingAdd(1, ordering: .relaxed)
                    continue
                }
                if index >= shared.stamps.events {
                    figures.probes.record(now &- control.probeStamp.pointee.load(ordering: .relaxed))
                } else if let stamp = shared.stamps.stamp(ofProducer: producer, index: index), stamp > 0 {
                    figures.loaded.record(now &- stamp)
                } else {
                    control.errors.pointee.wrappingAdd(1, ordering: .relaxed)
                }
            }
        } catch {
            // Cancelled by the lab's stop: the figures so far are the tail's figures.
            if Task.isCancelled { return figures }
            throw error
        }
        return figures
    }
}
