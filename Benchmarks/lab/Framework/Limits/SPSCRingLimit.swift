import CLabLimits
import ShmRing

/// `limit-spsc-NB`: a raw two-process SPSC copy ring (`lab_spsc_*`: the payload copied
/// in and out and checked, the record header as the commit, the consumer's position
/// published per batch) over 1 MiB, pinned as the `shm-*` throughput cases (producer on
/// CPU 0, consumer on CPU 1): the least work a ring between two processes can do for
/// N-byte messages. It runs in a ring region of the transport harness's segment, its
/// positions in the control block.
enum SPSCRingLimit {
    static let producerRole = "limit-spsc-produce"
    static let consumerRole = "limit-spsc-consume"
    static let capacity = 1 << 20
    /// Records padded to whole cache lines (`spsc_ring.c -a 64`), the raw ring's fastest
    /// layout here: with records packed on 8 bytes, as Ringside's rings pack them, producer
    /// and consumer share lines record by record and the raw loop only ties the rings it
    /// should bound (about 15 M 32-byte msg/s on the 2-core VM, against 23 M in whole lines).
    static let recordAlignment: UInt32 = 64

    static func caseName(payload: Int) -> String { "limit-spsc-\(payload)B" }

    /// One run of `messages` messages of `payload` bytes: records `msgs_per_s` and
    /// `bytes_per_s`, returns messages per second.
    static func measure(payload: Int, messages: Int, _ context: inout SuiteContext) throws -> Double {
        let name = caseName(payload: payload)
        let arguments = [String(messages), String(payload)]
        let outcome = try TransportHarness.run(ringCapacities: [capacity], peers: [
            TransportHarness.PeerSpec(role: consumerRole, cpu: 1, arguments: arguments),
            TransportHarness.PeerSpec(role: producerRole, cpu: 0, arguments: arguments),
        ])
        guard outcome.received == Int64(messages), outcome.errors == 0, outcome.seconds > 0 else {
            throw LabError("\(name): \(outcome.received) of \(messages) messages received, \(outcome.errors) out of order")
        }
        let rate = Double(messages) / outcome.seconds
        context.record(case: name, metric: "msgs_per_s", value: rate, unit: "msg/s")
        context.record(case: name, metric: "bytes_per_s", value: rate * Double(payload), unit: "B/s")
        return rate
    }

    /// The ring's bytes (the first ``capacity`` bytes of region 0) and its head and tail.
    private static func ring(
        _ segment: borrowing SharedMemorySegment, _ control: TransportControl
    ) throws -> (data: UnsafeMutablePointer<UInt8>, head: UnsafeMutablePointer<UInt64>, tail: UnsafeMutablePointer<UInt64>) {
        guard let region = segment.unsafeRegionBytes(0), region.count >= capacity else { throw LabError("no ring region") }
        let (head, tail) = control.probeWords
        return (region.baseAddress!.assumingMemoryBound(to: UInt8.self), head, tail)
    }

    /// Peer role: `NAME CPU MESSAGES PAYLOAD` produces.
    @Sendable
    static func producerPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { segment, control, arguments in
            let messages = try TransportHarness.integer(arguments, 0), payload = try TransportHarness.integer(arguments, 1)
            let (data, head, tail) = try ring(segment, control)
            control.arriveAndWait()
            control.markStart()
            guard lab_spsc_produce(data, UInt64(capacity), head, tail, UInt64(messages), UInt32(payload), recordAlignment) == 0 else {
                throw LabError("\(producerRole): bad sizes (payload \(payload))")
            }
        }
    }

    /// Peer role: `NAME CPU MESSAGES PAYLOAD` consumes and checks.
    @Sendable
    static func consumerPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { segment, control, arguments in
            let messages = try TransportHarness.integer(arguments, 0), payload = try TransportHarness.integer(arguments, 1)
            let (data, head, tail) = try ring(segment, control)
            var checksum: UInt64 = 0
            control.arriveAndWait()
            let errors = lab_spsc_consume(data, UInt64(capacity), head, tail, UInt64(messages), UInt32(payload), recordAlignment, &checksum)
            control.endNanos.pointee.store(monotonicNanos(), ordering: .relaxed)
            guard errors >= 0 else { throw LabError("\(consumerRole): bad sizes (payload \(payload))") }
            control.received.pointee.store(Int64(messages), ordering: .relaxed)
            control.errors.pointee.store(errors, ordering: .relaxed)
            control.checksum.pointee.store(Int64(bitPattern: checksum), ordering: .releasing)
        }
    }
}

extension Limit {
    /// `limit-spsc-NB`: the raw SPSC ring with `payload`-byte messages, held against messages
    /// per second, for a case that sends `messages` per run. The limit sends a quarter of
    /// them (at least 1,000): the raw loop's rate settles well within that, and the suite
    /// keeps to its time.
    static func spscRing(payload: Int, messages: Int) -> Limit {
        Limit(caseName: SPSCRingLimit.caseName(payload: payload), kind: .throughput) { context in
            try SPSCRingLimit.measure(payload: payload, messages: max(1_000, messages / 4), &context)
        }
    }
}
