import CLabLimits

/// `limit-pingpong`: two processes pinned as `shm-pingpong-32B` (pinger on CPU 0, ponger on
/// CPU 1) bounce a counter through two words on separate cache lines, the pinger stamping
/// CLOCK_MONOTONIC around each round trip (`pingpong_shm -C`); the timed rounds go into a
/// ``LatencyHistogram``. The peers run through the transport suite's harness (a segment with
/// the control block, peers released together).
enum PingPongLimit {
    /// The probe (`rtt_p50_ns` ...).
    static let probe = WordRoundTrip(
        caseName: "limit-pingpong", pingRole: "limit-ping", pongRole: "limit-pong", pongCPU: 1, latency: "rtt",
        ping: lab_pingpong_ping, pong: lab_pingpong_pong)
}

extension Limit {
    /// `limit-pingpong` (round trips through two cache lines), held against round-trip
    /// p50s, for a case that times `timed` round trips after `warmUp`. The limit does a
    /// quarter of each (at least 1,000 timed): its p50 settles well within that.
    static func pingPong(warmUp: Int, timed: Int) -> Limit {
        Limit(caseName: PingPongLimit.probe.caseName, kind: .latency) { context in
            try PingPongLimit.probe.measure(warmUp: warmUp / 4, timed: max(1_000, timed / 4), &context)
        }
    }
}
