/// What the round-trip limits (`limit-pingpong`, `limit-tcp-pingpong`, `limit-handover`)
/// share: the two peers placed as the cases they bound (pinger on CPU 0, ponger on CPU 1 or
/// beside it on CPU 0), and the pinger's timed round trips turned into one histogram.
enum RoundTripLimit {
    /// One run of the limit `caseName`: starts the ponger (on `pongCPU`) and the pinger (on
    /// CPU 0) with their arguments, checks that `timed` round trips were timed, records their
    /// histogram under `caseName` as `latency` (`rtt_p50_ns` ...) and returns the p50.
    static func measure(
        _ caseName: String, pong: (role: String, arguments: [String]), ping: (role: String, arguments: [String]), timed: Int,
        pongCPU: Int = 1, latency: String = "rtt", _ context: inout SuiteContext
    ) throws -> Double {
        let outcome = try TransportHarness.run(ringCapacities: [], peers: [
            TransportHarness.PeerSpec(role: pong.role, cpu: pongCPU, arguments: pong.arguments),
            TransportHarness.PeerSpec(role: ping.role, cpu: 0, arguments: ping.arguments),
        ])
        guard outcome.latency.count == timed else { throw LabError("\(caseName): \(outcome.latency.count) of \(timed) round trips timed") }
        context.record(case: caseName, latency: latency, outcome.latency)
        return Double(outcome.latency.p50)
    }
}

/// A round-trip limit that bounces a counter through the control block's two probe words
/// (`limit-pingpong`, `limit-handover`): its case, peer roles, placement and C loops. The
/// pinger (`NAME CPU WARMUP TIMED`) runs `ping` once both peers are ready and stores the
/// timed rounds' histogram; the ponger (`NAME CPU ROUNDS`) runs `pong` for ROUNDS pings.
struct WordRoundTrip: Sendable {
    /// The pinger's C loop: `(ping, pong, warmUp, timed, latencies)`.
    typealias PingLoop = @Sendable (UnsafeMutablePointer<UInt64>?, UnsafePointer<UInt64>?, UInt64, UInt64, UnsafeMutablePointer<Int64>?) -> Void
    /// The ponger's C loop: `(ping, pong, rounds)`.
    typealias PongLoop = @Sendable (UnsafePointer<UInt64>?, UnsafeMutablePointer<UInt64>?, UInt64) -> Void

    let caseName: String
    let pingRole: String
    let pongRole: String
    /// The ponger's CPU (the pinger's is CPU 0).
    let pongCPU: Int
    /// The histogram's metric prefix (`rtt`, `handover`).
    let latency: String
    let ping: PingLoop
    let pong: PongLoop

    /// One run: `warmUp` untimed round trips, then `timed` ones; records the histogram's
    /// figures under ``caseName`` and returns their p50.
    func measure(warmUp: Int, timed: Int, _ context: inout SuiteContext) throws -> Double {
        try RoundTripLimit.measure(
            caseName, pong: (pongRole, [String(warmUp + timed)]), ping: (pingRole, [String(warmUp), String(timed)]), timed: timed,
            pongCPU: pongCPU, latency: latency, &context)
    }

    /// The two peer roles.
    var peers: [String: @Sendable ([String]) throws -> Void] {
        let (ping, pong) = (self.ping, self.pong)
        return [
            pingRole: { arguments in
                try TransportHarness.peer(arguments) { _, control, arguments in
                    let warmUp = try TransportHarness.integer(arguments, 0)
                    let timed = try TransportHarness.integer(arguments, 1)
                    let (first, second) = control.probeWords
                    try control.storeRoundTrips(timed: timed) { latencies in
                        control.arriveAndWait()
                        ping(first, second, UInt64(warmUp), UInt64(timed), latencies)
                    }
                }
            },
            pongRole: { arguments in
                try TransportHarness.peer(arguments) { _, control, arguments in
                    let rounds = try TransportHarness.integer(arguments, 0)
                    let (first, second) = control.probeWords
                    control.arriveAndWait()
                    pong(first, second, UInt64(rounds))
                }
            },
        ]
    }
}

extension TransportControl {
    /// The pinger's side of a round-trip limit: `loop` (the C probe) writes `timed` round trips'
    /// nanoseconds into a buffer whose pages are touched before timing; their histogram is
    /// stored for the lab (``storeLatency(_:)``).
    func storeRoundTrips(timed: Int, _ loop: (UnsafeMutablePointer<Int64>) throws -> Void) throws {
        let latencies = UnsafeMutableBufferPointer<Int64>.allocate(capacity: timed)
        defer { latencies.deallocate() }
        latencies.initialize(repeating: 0)
        try loop(latencies.baseAddress!)
        var histogram = LatencyHistogram()
        for latency in latencies { histogram.record(latency) }
        storeLatency(histogram.percentiles)
    }
}
