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
    /// The probe (`handover_p50_ns` ...: half of each round trip).
    static let probe = WordRoundTrip(
        caseName: "limit-handover", pingRole: "limit-handover-ping", pongRole: "limit-handover-pong", pongCPU: 0,
        latency: "handover", ping: lab_handover_ping, pong: lab_handover_pong)
}

extension Limit {
    /// `limit-handover` (one process handing CPU 0 to another), held against the timeline
    /// suite's insert-to-visible p50 over shared memory: `timed` round trips after `warmUp`.
    static func handover(warmUp: Int, timed: Int) -> Limit {
        Limit(caseName: HandoverLimit.probe.caseName, kind: .latency) { context in
            try HandoverLimit.probe.measure(warmUp: warmUp, timed: timed, &context)
        }
    }
}
