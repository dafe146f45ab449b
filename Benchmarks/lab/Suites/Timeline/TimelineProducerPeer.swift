import Timeline

/// A producer of a timeline run: one client connection writing its share of the load
/// workload (``TimelineWorkload``: 16-byte members, increasing scores, 10,000 keys) as
/// fire-and-forget inserts (one per request, or batches of them), as fast as the connection
/// takes them, each write to a tailed key stamped just before its request is issued. It ends the loaded phase with a select, whose
/// answer means every one of its writes has been applied (one connection's requests are
/// applied in order). Producer 0 then sends the probes: one insert to a tailed key at a
/// time, stamped, the next only once the subscriber holds the one before; then as many to
/// the subscriber's blocking probe key (``TimelineSubscriberPeer/blockingProbeKey``), the
/// same way. Between a probe and its sighting the producer yields its CPU in a loop
/// (``TimelinePeer/wait(for:timeout:_:)``): CPU 0, which it shares with the subscriber,
/// never idles (an idle vCPU of this VM takes about 20 us to wake; a futex sleep measured
/// 23 us insert to visible against 3.5 us yielding, side by side on a quiet machine). The
/// yields do not put the scheduler between the event and the subscriber: counted per probe
/// (the producer thread's context switches, getrusage), 97-98% of probes see exactly one,
/// the hand-over to the subscriber that then holds the event within its stint of polls
/// (its spin keeps the CPU 128 polls at a time). A futex sleep woken by the subscriber once
/// it has timed the event (a symmetric-fence doorbell: no membarrier interrupting the
/// server's CPU), with the subscriber spinning meanwhile, measured no better side by side
/// (load 4-7): async p50 3.6 us against 2.7-3.4 us yielding, blocking 2.8 against 2.5-3.1.
enum TimelineProducerPeer {
    static let role = "timeline-produce"

    /// The arguments after the common four.
    static func arguments(producer: Int, producers: Int, events: Int, tailKeys: Int, probes: Int, batch: Int) -> [String] {
        [producer, producers, events, tailKeys, probes, batch].map(String.init)
    }

    /// Peer role: `... PRODUCER PRODUCERS EVENTS TAIL_KEYS PROBES BATCH` (BATCH 1: one insert
    /// per request; more: that many per request, as one Roshi POST body holds them).
    @Sendable
    static func peer(_ arguments: [String]) throws {
        try TimelinePeer.run(arguments) { peer in
            let (producer, producers, events) = (try peer.integer(0), try peer.integer(1), try peer.integer(2))
            let (tailKeys, probes, batch) = (try peer.integer(3), try peer.integer(4), try peer.integer(5))
            let stamps = try TimelineStamps(peer.stampRegion, producers: producers, events: events)
            let workload = TimelineWorkload()
            let control = peer.control
            let client = try peer.connect()
            defer { client.close() }
            var member = [UInt8](repeating: 0, count: TimelineWorkload.memberLength)

            control.producersReady.pointee.wrappingAdd(1, ordering: .releasing)
            try peer.wait(for: "go", timeout: .seconds(30)) { control.go.pointee.load(ordering: .acquiring) != 0 }
            control.markStart()
            var tailed: Int64 = 0
            if batch > 1 {
                // One batch of writes, made once and rewritten in place: each member's
                // array is unique, so writing its bytes allocates nothing, and a key is the
                // workload's own array (a reference count, no copy).
                var writes = (0 ..< batch).map { _ in
                    KeyScoreMember(key: [], score: 0, member: [UInt8](repeating: 0, count: TimelineWorkload.memberLength))
                }
                for first in stride(from: 0, to: events, by: batch) {
                    let indices = first ..< min(events, first + batch)
                    if indices.count < writes.count {
                        writes.removeLast(writes.count - indices.count)  // the last, short batch
                    }
                    for index in indices {
                        let slot = index - first
                        writes[slot].key = workload.keys[workload.keyIndex(producer: producer, index: index)]
                        writes[slot].score = TimelineWorkload.score(index: index)
                        writes[slot].member.withUnsafeMutableBytes {
                            TimelineWorkload.writeMember(producer: producer, index: index, into: $0)
                        }
                    }
                    for index in indices where workload.keyIndex(producer: producer, index: index) < tailKeys {
                        stamps.stamp(producer: producer, index: index)
                        tailed &+= 1
                    }
                    try client.write(.insert, batch: writes, delivery: .fireAndForget)
                }
            } else {
                // Views of the keys and the member: the loop touches no reference count.
                let memberView = UnsafeMutableRawBufferPointer.allocate(byteCount: TimelineWorkload.memberLength, alignment: 8)
                defer { memberView.deallocate() }
                try workload.withKeyViews { (keys) throws(TimelineClientError) in
                    for index in 0 ..< events {
                        TimelineWorkload.writeMember(producer: producer, index: index, into: memberView)
                        let key = workload.keyIndex(producer: producer, index: index)
                        if key < tailKeys {
                            stamps.stamp(producer: producer, index: index)
                            tailed &+= 1
                        }
                        try client.insert(
                            key: keys[key], score: TimelineWorkload.score(index: index), member: UnsafeRawBufferPointer(memberView),
                            delivery: .fireAndForget)
                    }
                }
            }
            _ = try client.select(key: workload.keys[0], offset: 0, limit: 1)
            control.markEnd(monotonicNanos())
            control.tailedWrites.pointee.wrappingAdd(tailed, ordering: .relaxed)
            control.producersDone.pointee.wrappingAdd(1, ordering: .releasing)
            guard probes > 0 else { return }

            // The probes start once the subscriber holds every event of the loaded phase.
            try peer.wait(for: "the subscriber to catch up", timeout: .seconds(30)) {
                control.producersDone.pointee.load(ordering: .acquiring) == Int64(producers)
                    && control.seen.pointee.load(ordering: .acquiring) == control.tailedWrites.pointee.load(ordering: .relaxed)
            }
            var index = events
            for _ in 0 ..< probes {
                while workload.keyIndex(producer: producer, index: index) >= tailKeys { index += 1 }
                let seen = control.seen.pointee.load(ordering: .acquiring)
                member.withUnsafeMutableBytes { TimelineWorkload.writeMember(producer: producer, index: index, into: $0) }
                control.probeStamp.pointee.store(monotonicNanos(), ordering: .relaxed)
                try client.insert(
                    key: workload.keys[workload.keyIndex(producer: producer, index: index)], score: TimelineWorkload.score(index: index),
                    member: member, delivery: .fireAndForget)
                try peer.wait(for: "probe \(index) to reach the subscriber", timeout: .seconds(5)) {
                    control.seen.pointee.load(ordering: .acquiring) > seen
                }
                index += 1
            }
            for _ in 0 ..< probes {
                let seen = control.seen.pointee.load(ordering: .acquiring)
                member.withUnsafeMutableBytes { TimelineWorkload.writeMember(producer: producer, index: index, into: $0) }
                control.probeStamp.pointee.store(monotonicNanos(), ordering: .relaxed)
                try client.insert(
                    key: TimelineSubscriberPeer.blockingProbeKey, score: TimelineWorkload.score(index: index), member: member,
                    delivery: .fireAndForget)
                try peer.wait(for: "blocking probe \(index) to reach the subscriber", timeout: .seconds(5)) {
                    control.seen.pointee.load(ordering: .acquiring) > seen
                }
                index += 1
            }
        }
    }
}
