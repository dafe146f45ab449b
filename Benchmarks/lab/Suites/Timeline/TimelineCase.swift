import Frames

/// One case of the timeline suite: how its clients reach the server (shared memory or TCP
/// on 127.0.0.1), in which encoding, whether the server logs to a data directory, and the
/// select case measured on the same server once the producers have filled it.
struct TimelineCase: Sendable {
    /// The stable case name (`timeline-shm-binary`, ...).
    let name: String
    /// Whether the clients connect over TCP (the server listens on a free loopback port).
    let tcp: Bool
    /// The encoding of every client of the case.
    let encoding: TimelineEncoding
    /// Whether the server runs with a data directory (a temporary one under /tmp).
    let durable: Bool
    /// The select case run after the producers, on the same server, or nil.
    let selectCase: String?
    /// The share of the suite's events per producer this case writes (TCP, and JSON more so,
    /// are slower: a rate needs fewer events to be measured).
    let eventShare: Double
    /// Inserts per request: 1, or a batch (one Roshi POST body) of that many.
    var batch = 1

    /// The case whose insert-to-visible p50 is held against `limit-handover` (`of_limit`).
    static let handoverBound = "timeline-shm-binary"

    /// The suite's cases, in the order each repetition runs them.
    static let all = [
        TimelineCase(
            name: "timeline-shm-binary", tcp: false, encoding: .binary, durable: false, selectCase: "timeline-shm-select-top10",
            eventShare: 1),
        TimelineCase(
            name: "timeline-shm-binary-batched", tcp: false, encoding: .binary, durable: false, selectCase: nil, eventShare: 1,
            batch: 64),
        TimelineCase(
            name: "timeline-tcp-binary", tcp: true, encoding: .binary, durable: false, selectCase: "timeline-tcp-select-top10",
            eventShare: 0.5),
        TimelineCase(name: "timeline-tcp-json", tcp: true, encoding: .json, durable: false, selectCase: nil, eventShare: 0.1),
        TimelineCase(name: "timeline-shm-binary-durable", tcp: false, encoding: .binary, durable: true, selectCase: nil, eventShare: 1),
    ]
}

/// How much work one repetition of each case does, scaled by `--quick` and `--full`.
struct TimelineSizes {
    /// Producer processes per run.
    static let producers = 2
    /// Events per producer on defaults, before a case's ``TimelineCase/eventShare``.
    let events: Int
    /// Keys the subscriber tails (the workload's first keys).
    let tailKeys = 32
    /// Probes (one insert in flight) after the loaded phase.
    let probes: Int
    /// Pipelined selects per run.
    let pipelinedSelects: Int
    /// Selects in flight at once when pipelined.
    let selectWindow = 64
    /// The longest the pipelined selects of one run go on sending.
    let selectBudget: Duration
    /// One-at-a-time select round trips per run.
    let roundTrips: Int

    /// The sizes for `context`'s scale. Each producer writes at least 10,000 events, so that
    /// it has written to every one of the workload's 10,000 keys.
    init(_ context: SuiteContext) {
        events = context.scaled(150_000, minimum: 10_000)
        probes = context.scaled(1_000, minimum: 200)
        pipelinedSelects = context.scaled(30_000, minimum: 5_000)
        roundTrips = context.scaled(5_000, minimum: 1_000)
        selectBudget = .milliseconds(context.scaled(1_000, minimum: 200))
    }

    /// Events per producer for `timelineCase`.
    func events(_ timelineCase: TimelineCase) -> Int {
        max(10_000, Int(Double(events) * timelineCase.eventShare))
    }
}
