import CLabLimits

/// `limit-handover`: what one hand-over of a CPU from one process to another costs, the
/// floor of every latency whose path needs two processes to take turns on one CPU. Two
/// processes, both pinned to CPU 0, bounce a counter through two words on separate cache
/// lines, each yielding the CPU (`sched_yield`) while it waits (`lab_handover_ping`); half of
/// each timed round trip goes into a ``LatencyHistogram`` (`handover_p50_ns` ...).
///
/// On this project's 2-vCPU machine the timeline suite's insert-to-visible probe takes such
/// a turn: its producer and the tail subscriber share CPU 0 (the server's poll thread has
/// CPU 1), so the subscriber can hold the event only once the producer hands it the CPU.
enum HandoverLimit {
    static let caseName = "limit-handover"
    static let pingRole = "limit-handover-ping"
    static let pongRole = "limit-handover-pong"

    /// One run: `warmUp` untimed round trips, then `timed` ones; records the histogram's
    /// figures and returns the p50 of one hand-over.
    static func measure(warmUp: Int, timed: Int, _ context: inout SuiteContext) throws -> Double {
        try RoundTripLimit.measure(
            caseName, pong: (pongRole, [String(warmUp + timed)]), ping: (pingRole, [String(warmUp), String(timed)]), timed: timed,
            pongCPU: 0, latency: "handover", &context)
    }

    /// The peer roles: the pinger (`NAME CPU WARMUP TIMED`) pings, yielding, and stores the
    /// hand-overs' histogram; the ponger (`NAME CPU ROUNDS`) answers ROUNDS pings, yielding.
    static let peers = RoundTripLimit.wordPeers(ping: pingRole, lab_handover_ping, pong: pongRole, lab_handover_pong)
}

extension Limit {
    /// `limit-handover` (one process handing CPU 0 to another), held against the timeline
    /// suite's insert-to-visible p50 over shared memory: `timed` round trips after `warmUp`.
    static func handover(warmUp: Int, timed: Int) -> Limit {
        Limit(caseName: HandoverLimit.caseName, kind: .latency) { context in
            try HandoverLimit.measure(warmUp: warmUp, timed: timed, &context)
        }
    }
}
