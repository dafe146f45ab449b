/// A hardware limit a case is held against: a raw probe (C, `CLabLimits`) placed as the case
/// it bounds, measured by the lab in the same run, right before each run of that case, and
/// recorded as a case of its own (`limit-pingpong`, `limit-spsc-32B`, ...).
///
/// A case declares its limit in one line, around the body of one repetition that returns
/// its figure in the limit's terms (a throughput per second, or a latency in nanoseconds):
///
/// ```swift
/// for _ in context.repetitions(name) {
///     try context.measure(name, against: .spscRing(payload: 32, messages: total)) { context in
///         ...; return messagesPerSecond
///     }
/// }
/// ```
///
/// and gets the metric `of_limit`: its figure over the limit's for a throughput, the
/// limit's over its own for a latency (1.0 is the hardware, 0.5 half as good), per run,
/// its unit naming the limit (`of limit-spsc-32B`). Interleaving matters here: this
/// machine's vCPUs move between placements within seconds, so a case and a limit measured
/// minutes apart do not compare.
struct Limit: Sendable {
    /// Whether the limit's figure is a rate or a time.
    enum Kind: Sendable {
        /// Per second: larger is better.
        case throughput
        /// Nanoseconds: smaller is better.
        case latency
    }

    /// The limit's case name, `limit-...`.
    let caseName: String
    /// What its figure is.
    let kind: Kind
    /// Measures the limit once, records its natural metrics under ``caseName``, and returns
    /// the figure the bounded case is compared with.
    let measure: @Sendable (inout SuiteContext) throws -> Double

    /// `of_limit` for a case figure against this limit's figure.
    func fraction(case figure: Double, limit: Double) -> Double {
        guard figure > 0, limit > 0 else { return 0 }
        return kind == .throughput ? figure / limit : limit / figure
    }

    /// The peer roles of the two-process limits (the lab dispatches `lab __peer ROLE`).
    static let peers: [String: @Sendable ([String]) throws -> Void] = [
        TCPPingPongLimit.pingRole: TCPPingPongLimit.pingPeer,
        TCPPingPongLimit.pongRole: TCPPingPongLimit.pongPeer,
        SPSCRingLimit.producerRole: SPSCRingLimit.producerPeer,
        SPSCRingLimit.consumerRole: SPSCRingLimit.consumerPeer,
    ].merging(PingPongLimit.probe.peers) { first, _ in first }.merging(HandoverLimit.probe.peers) { first, _ in first }
}

extension SuiteContext {
    /// One run of `caseName` held against `limit`: the limit first, then `body` (the case's
    /// run, recording its own metrics and returning its figure in the limit's terms), then
    /// `of_limit`. A case that `--case` leaves out runs neither.
    mutating func measure(_ caseName: String, against limit: Limit, _ body: (inout SuiteContext) throws -> Double) throws {
        guard selects(caseName) else { return }
        let bound = try limit.measure(&self)
        let figure = try body(&self)
        record(case: caseName, metric: "of_limit", value: limit.fraction(case: figure, limit: bound), unit: "of \(limit.caseName)")
    }

    /// Runs `limit` alone ``runs`` times (a limit no case is measured beside, such as
    /// `limit-memcpy`, recorded for the reader to compare).
    mutating func measure(limit: Limit) throws {
        for _ in repetitions(limit.caseName) {
            _ = try limit.measure(&self)
        }
    }
}
