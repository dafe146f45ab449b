import Glibc
import Synchronization

/// The RSocket cases of the `transport` suite: 32-byte frames through a whole session, from a
/// ``Transport/Connection`` in a client process (CPU 0) to a ``Transport/TransportServer`` in a
/// server process (CPU 1) whose responder counts fire-and-forget frames and echoes
/// request-response data, over the shared-memory carrier or the TCP carrier on loopback.
///
/// - `rsocket-shm-fnf`, `rsocket-tcp-fnf`: fire-and-forget frames, timed from the client's
///   first timed send (after the warm-up frames) to the server's last frame (`frames_per_s`).
/// - `rsocket-shm-rr`, `rsocket-tcp-rr`: blocking request-response round trips, each timed
///   by the client into a ``LatencyHistogram`` (`rtt_p50_ns`, `rtt_p99_ns`, `rtt_p999_ns`, ...);
///   a tenth go first untimed.
///
/// `client_cpu_ns_per_frame` (fire-and-forget): the client thread's CPU time in its timed loop
/// per frame, the cost of the send path whatever the machine's load (a full ring puts the
/// client to sleep, which costs no CPU time).
///
/// `allocs_per_frame`: heap allocations of the client's timed loop and of the server's poll
/// thread over the timed frames, per frame (a round trip is two frames); warm-up frames go
/// first, neither timed nor counted.
struct RSocketCase: Sendable {
    /// The carrier under the session.
    enum Carrier: String, Sendable {
        case shm, tcp
    }

    /// The interaction measured.
    enum Interaction: String, Sendable {
        case fireAndForget = "fnf"
        case requestResponse = "rr"
    }

    let carrier: Carrier
    let interaction: Interaction
    /// Frames (fire-and-forget) or round trips (request-response) per run on defaults.
    let count: Int

    /// The stable case name, e.g. `rsocket-shm-fnf`.
    var name: String { "rsocket-\(carrier.rawValue)-\(interaction.rawValue)" }

    static let payload = 32
    static let serverRole = "rsocket-server"
    static let clientRole = "rsocket-client"

    /// The cases of the suite, sized so a run lasts about a second on each carrier (TCP
    /// fire-and-forget moves about a hundredth of the shm rate: one `sendmsg` per frame).
    static let cases = [
        RSocketCase(carrier: .shm, interaction: .fireAndForget, count: 10_000_000),
        RSocketCase(carrier: .tcp, interaction: .fireAndForget, count: 200_000),
        RSocketCase(carrier: .shm, interaction: .requestResponse, count: 1_000_000),
        RSocketCase(carrier: .tcp, interaction: .requestResponse, count: 100_000),
    ]

    private static let counter = Atomic<Int>(0)

    /// Runs the case `context.runs` times and records its figures.
    func measure(_ context: inout SuiteContext) throws {
        let timed = context.scaled(count, minimum: 1000)
        // Untimed first frames, so that one-time costs (the first frame's session work, lazily
        // made state) stay out of the steady state: a tenth of the round trips; for
        // fire-and-forget at most a ring's worth, which the server drains within the first
        // milliseconds of the timed part (its clock starts at the client's first timed send).
        let warmup = interaction == .requestResponse ? timed / 10 : min(timed / 10, 10_000)
        for _ in context.repetitions(name, detail: "\(timed) \(interaction == .fireAndForget ? "frames" : "round trips")") {
            let server = "rsl-\(getpid())-\(Self.counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
            let common = [carrier.rawValue, interaction.rawValue, server, String(warmup), String(timed)]
            let outcome = try TransportHarness.run(ringCapacities: [], peers: [
                TransportHarness.PeerSpec(role: Self.serverRole, cpu: 1, arguments: common),
                TransportHarness.PeerSpec(role: Self.clientRole, cpu: 0, arguments: common),
            ])
            guard outcome.errors == 0, outcome.received == Int64(warmup + timed) else {
                throw LabError("\(name): the server saw \(outcome.received) of \(warmup + timed) frames, \(outcome.errors) errors")
            }
            switch interaction {
            case .fireAndForget:
                context.record(case: name, metric: "frames_per_s", value: Double(timed) / outcome.seconds, unit: "frames/s")
                context.record(case: name, metric: "allocs_per_frame", value: Double(outcome.allocations) / Double(timed), unit: "allocs")
                context.record(
                    case: name, metric: "client_cpu_ns_per_frame", value: Double(outcome.clientCPUNanos) / Double(timed), unit: "ns")
            case .requestResponse:
                context.record(case: name, latency: "rtt", outcome.latency)
                context.record(case: name, metric: "allocs_per_frame", value: Double(outcome.allocations) / Double(2 * timed), unit: "allocs")
            }
        }
    }
}
