import ShmRing

/// The ping-pong case of the `transport` suite, as the C reference `pingpong_shm -C`
/// measures it: the pinger (CPU 0) stamps CLOCK_MONOTONIC, writes a 32-byte message carrying
/// its round number into one `OneToOneRing`, busy-spins reading the other until the pong
/// comes back, and stamps again; the ponger (CPU 1) echoes each message from inside its read
/// handler. A tenth of the round trips go first as a warm-up and are not timed; the timed
/// ones go into a ``LatencyHistogram``.
enum TransportPingPong {
    static let caseName = "shm-pingpong-32B"
    static let payload = 32
    static let roundTrips = 1_000_000
    static let ringCapacity = 1 << 16
    static let pingRole = "transport-ping"
    static let pongRole = "transport-pong"

    /// Runs the case `context.runs` times, each run beside `limit-pingpong`, recording the
    /// round-trip histogram's figures and heap allocations per round trip.
    static func measure(_ context: inout SuiteContext) throws {
        let timed = context.scaled(roundTrips, minimum: 1000)
        let warmup = timed / 10
        for _ in context.repetitions(caseName, detail: "\(timed) round trips") {
            try context.measure(caseName, against: .pingPong(warmUp: warmup, timed: timed)) { context in
                try roundTrips(
                    caseName, pingRole: pingRole, pongRole: pongRole, ringCapacities: [ringCapacity, ringCapacity], warmup: warmup,
                    timed: timed, &context)
            }
        }
    }

    /// One run of a ping-pong case (this one, or its TCP twin): the ponger on CPU 1 answers
    /// `warmup + timed` pings of the pinger on CPU 0; records the round trips' histogram and
    /// heap allocations per message under `caseName` and returns the p50.
    static func roundTrips(
        _ caseName: String, pingRole: String, pongRole: String, ringCapacities: [Int], warmup: Int, timed: Int,
        _ context: inout SuiteContext
    ) throws -> Double {
        let outcome = try TransportHarness.run(ringCapacities: ringCapacities, peers: [
            TransportHarness.PeerSpec(role: pongRole, cpu: 1, arguments: [String(warmup + timed)]),
            TransportHarness.PeerSpec(role: pingRole, cpu: 0, arguments: [String(warmup), String(timed)]),
        ])
        guard outcome.errors == 0 else { throw LabError("\(caseName): \(outcome.errors) replies out of order") }
        context.record(case: caseName, latency: "rtt", outcome.latency)
        context.record(case: caseName, metric: "allocs_per_msg", value: Double(outcome.allocations) / Double(2 * (warmup + timed)), unit: "allocs")
        return Double(outcome.latency.p50)
    }

    /// The ping ring (region 0, pinger to ponger) and the pong ring (region 1, back).
    private static func rings(_ segment: borrowing SharedMemorySegment) throws -> (ping: OneToOneRing, pong: OneToOneRing) {
        (try OneToOneRing(segment: segment, region: 0), try OneToOneRing(segment: segment, region: 1))
    }

    /// Peer role: `NAME CPU WARMUP TIMED` pings, records the round-trip percentiles.
    @Sendable
    static func pingPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { segment, control, arguments in
            let (ping, pong) = try rings(segment)
            let warmup = try TransportHarness.integer(arguments, 0)
            let timed = try TransportHarness.integer(arguments, 1)
            try control.ping(payload: payload, warmup: warmup, timed: timed) { bytes in
                while try ping.write(type: 1, bytes: bytes) == .full {}
            } receive: { check in
                while try pong.read({ _, reply in check(reply) }) == 0 {}
            }
        }
    }

    /// Peer role: `NAME CPU ROUNDS` echoes ROUNDS messages from ring 0 into ring 1.
    @Sendable
    static func pongPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { segment, control, arguments in
            let (ping, pong) = try rings(segment)
            let rounds = try TransportHarness.integer(arguments, 0)
            var echoed = 0
            var failure: RingError?
            control.arriveAndWait()
            try control.countingAllocations {
                while echoed < rounds {
                    echoed &+= try ping.read { type, message in
                        do throws(RingError) {
                            while try pong.write(type: type, bytes: message) == .full {}
                        } catch {
                            failure = error
                        }
                    }
                    if let failure { throw failure }
                }
            }
        }
    }
}
