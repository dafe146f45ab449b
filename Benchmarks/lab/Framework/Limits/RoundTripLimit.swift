/// What the two round-trip limits (`limit-pingpong`, `limit-tcp-pingpong`) share: the two
/// peers placed as the cases they bound (ponger on CPU 1, pinger on CPU 0), and the pinger's
/// timed round trips turned into one histogram.
enum RoundTripLimit {
    /// One run of the limit `caseName`: starts the ponger and the pinger with their arguments,
    /// checks that `timed` round trips were timed, records their histogram (`rtt_p50_ns` ...)
    /// under `caseName` and returns the p50.
    static func measure(
        _ caseName: String, pong: (role: String, arguments: [String]), ping: (role: String, arguments: [String]), timed: Int,
        _ context: inout SuiteContext
    ) throws -> Double {
        let outcome = try TransportHarness.run(ringCapacities: [], peers: [
            TransportHarness.PeerSpec(role: pong.role, cpu: 1, arguments: pong.arguments),
            TransportHarness.PeerSpec(role: ping.role, cpu: 0, arguments: ping.arguments),
        ])
        guard outcome.latency.count == timed else { throw LabError("\(caseName): \(outcome.latency.count) of \(timed) round trips timed") }
        context.record(case: caseName, latency: "rtt", outcome.latency)
        return Double(outcome.latency.p50)
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
