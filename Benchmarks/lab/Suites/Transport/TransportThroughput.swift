import ShmRing

/// A throughput case of the `transport` suite, as the C reference `spsc_ring.c` measures it:
/// producers pinned to CPU 0 copy a message (its index in the first 8 bytes, the producer's
/// id in the next 4) into a 1 MiB ring and busy-spin when it is full; the consumer, pinned
/// to CPU 1, copies every message out, checks its index, and publishes its head once per
/// batch. Time runs from the first write to the last read.
struct TransportThroughput: Sendable {
    /// The stable case name, e.g. `shm-spsc-32B`.
    let name: String
    /// Payload bytes per message (at least 12).
    let payload: Int
    /// Messages per run on defaults, all producers together.
    let messages: Int
    /// Producer processes (1: a `OneToOneRing`; more: a `ManyToOneRing`).
    let producers: Int

    static let ringCapacity = 1 << 20
    static let producerRole = "transport-produce"
    static let consumerRole = "transport-consume"

    /// The cases of the suite, with the C reference's message counts.
    static let cases = [
        TransportThroughput(name: "shm-spsc-32B", payload: 32, messages: 20_000_000, producers: 1),
        TransportThroughput(name: "shm-spsc-256B", payload: 256, messages: 10_000_000, producers: 1),
        TransportThroughput(name: "shm-spsc-4096B", payload: 4096, messages: 2_000_000, producers: 1),
        TransportThroughput(name: "shm-mpsc-32B", payload: 32, messages: 20_000_000, producers: 2),
    ]

    /// Runs the case `context.runs` times, each run beside the raw ring of its payload
    /// (`limit-spsc-NB`, the MPSC case beside the SPSC one), recording messages and bytes
    /// per second and heap allocations per message (producers and consumer together, timed
    /// loops only).
    func measure(_ context: inout SuiteContext) throws {
        let perProducer = context.scaled(messages / producers, minimum: 1000)
        let total = perProducer * producers
        let kind = producers > 1 ? "many" : "one"
        for _ in context.repetitions(name, detail: "\(total) messages") {
            try context.measure(name, against: .spscRing(payload: payload, messages: total)) { context in
                let consumer = TransportHarness.PeerSpec(
                    role: Self.consumerRole, cpu: 1, arguments: [kind, String(total), String(payload), String(producers)])
                let producerSpecs = (0..<producers).map { id in
                    TransportHarness.PeerSpec(
                        role: Self.producerRole, cpu: 0, arguments: [kind, String(perProducer), String(payload), String(id)])
                }
                let outcome = try TransportHarness.run(ringCapacities: [Self.ringCapacity], peers: [consumer] + producerSpecs)
                guard outcome.received == Int64(total), outcome.errors == 0 else {
                    throw LabError("\(name): consumer received \(outcome.received) of \(total) messages, \(outcome.errors) out of order")
                }
                let rate = Double(total) / outcome.seconds
                context.record(case: name, metric: "msgs_per_s", value: rate, unit: "msg/s")
                context.record(case: name, metric: "bytes_per_s", value: rate * Double(payload), unit: "B/s")
                context.record(case: name, metric: "allocs_per_msg", value: Double(outcome.allocations) / Double(total), unit: "allocs")
                return rate
            }
        }
    }

    /// What both peer roles are given: `KIND MESSAGES PAYLOAD N` (N: the producer's id, or
    /// the number of producers), with the ring of region 0 opened as KIND (`one` or `many`).
    private struct PeerSetup {
        let ring: RecordRing
        let messages: Int
        let payload: Int
        let number: Int

        init(_ segment: borrowing SharedMemorySegment, _ arguments: [String]) throws {
            ring = arguments.first == "many"
                ? try ManyToOneRing(segment: segment, region: 0) : try OneToOneRing(segment: segment, region: 0)
            messages = try TransportHarness.integer(arguments, 1)
            payload = try TransportHarness.integer(arguments, 2)
            number = try TransportHarness.integer(arguments, 3)
            guard payload >= 12, payload <= ring.maxMessageLength, number >= 0 else {
                throw LabError("bad peer arguments \(arguments): payload must be 12...\(ring.maxMessageLength)")
            }
        }
    }

    /// Peer role: `NAME CPU KIND MESSAGES PAYLOAD PRODUCER` writes MESSAGES messages.
    @Sendable
    static func producerPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { segment, control, arguments in
            let setup = try PeerSetup(segment, arguments)
            let (ring, messages, payload, producer) = (setup.ring, setup.messages, setup.payload, setup.number)
            let source = UnsafeMutableRawBufferPointer.allocate(byteCount: payload, alignment: 64)
            defer { source.deallocate() }
            for index in 0..<payload { source[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 1) }
            source.storeBytes(of: UInt32(producer), toByteOffset: 8, as: UInt32.self)
            let bytes = UnsafeRawBufferPointer(source)
            var idle = BusySpinIdleStrategy()
            control.arriveAndWait()
            control.markStart()
            try control.countingAllocations {
                for index in 0..<UInt64(messages) {
                    source.storeBytes(of: index, as: UInt64.self)
                    while try ring.write(type: 1, bytes: bytes) == .full { idle.idle(0) }
                }
            }
        }
    }

    /// Peer role: `NAME CPU KIND MESSAGES PAYLOAD PRODUCERS` reads MESSAGES messages,
    /// checking each producer's indexes.
    @Sendable
    static func consumerPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { segment, control, arguments in
            let setup = try PeerSetup(segment, arguments)
            let (ring, messages, payload, producers) = (setup.ring, setup.messages, setup.payload, max(1, setup.number))
            let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: payload, alignment: 64)
            defer { destination.deallocate() }
            destination.initializeMemory(as: UInt8.self, repeating: 0)
            let expected = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: producers)
            defer { expected.deallocate() }
            expected.initialize(repeating: 0)
            var received = 0
            var errors = 0
            var checksum: UInt64 = 0
            var idle = BusySpinIdleStrategy()
            control.arriveAndWait()
            try control.countingAllocations {
                while received < messages {
                    let count = try ring.read { _, bytes in
                        guard bytes.count == payload else {
                            errors &+= 1
                            return
                        }
                        destination.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: payload)
                        let index = destination.load(as: UInt64.self)
                        let producer = Int(destination.load(fromByteOffset: 8, as: UInt32.self))
                        if producer < producers && expected[producer] == index {
                            expected[producer] = index &+ 1
                        } else {
                            errors &+= 1
                        }
                        checksum &+= UInt64(destination[payload - 1])
                    }
                    received &+= count
                    idle.idle(count)
                }
            }
            control.endNanos.pointee.store(monotonicNanos(), ordering: .relaxed)
            control.received.pointee.store(Int64(received), ordering: .relaxed)
            control.errors.pointee.store(Int64(errors), ordering: .relaxed)
            control.checksum.pointee.store(Int64(bitPattern: checksum), ordering: .releasing)
        }
    }
}
