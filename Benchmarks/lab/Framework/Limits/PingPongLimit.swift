import CLabLimits

/// `limit-pingpong`: two processes pinned as `shm-pingpong-32B` (pinger on CPU 0, ponger on
/// CPU 1) bounce a counter through two words on separate cache lines, the pinger stamping
/// CLOCK_MONOTONIC around each round trip (`pingpong_shm -C`); the timed rounds go into a
/// ``LatencyHistogram``. The peers run through the transport suite's harness (a segment with
/// the control block, peers released together).
enum PingPongLimit {
    static let caseName = "limit-pingpong"
    static let pingRole = "limit-ping"
    static let pongRole = "limit-pong"

    /// One run: `warmUp` untimed round trips, then `timed` ones; records the histogram's
    /// figures (`rtt_p50_ns` ...) and returns the p50.
    static func measure(warmUp: Int, timed: Int, _ context: inout SuiteContext) throws -> Double {
        try RoundTripLimit.measure(
            caseName, pong: (pongRole, [String(warmUp + timed)]), ping: (pingRole, [String(warmUp), String(timed)]), timed: timed,
            &context)
    }

    /// The peer roles: the pinger (`NAME CPU WARMUP TIMED`) pings and stores the round trips'
    /// histogram; the ponger (`NAME CPU ROUNDS`) answers ROUNDS pings.
    static let peers = RoundTripLimit.wordPeers(ping: pingRole, lab_pingpong_ping, pong: pongRole, lab_pingpong_pong)
}

extension Limit {
    /// `limit-pingpong` (round trips through two cache lines), held against round-trip
    /// p50s, for a case that times `timed` round trips after `warmUp`. The limit does a
    /// quarter of each (at least 1,000 timed): its p50 settles well within that.
    static func pingPong(warmUp: Int, timed: Int) -> Limit {
        Limit(caseName: PingPongLimit.caseName, kind: .latency) { context in
            try PingPongLimit.measure(warmUp: warmUp / 4, timed: max(1_000, timed / 4), &context)
        }
    }
}
