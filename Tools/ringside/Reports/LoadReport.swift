import Timeline

/// What one producer of `ringside load` reports once done (in its report file):
/// `done EVENTS START_NS END_NS` (monotonic clock: from its first write to the answer of a
/// select sent after its last, when every write before it has been applied) and, with
/// `--ack`, `latency NS NS ...` (each acknowledged write's round trip).
struct ProducerReport {
    /// Events sent.
    var events: Int
    /// When the first write went out.
    var start: Int64
    /// When the last write was known applied.
    var end: Int64
    /// Round trips of acknowledged writes, in nanoseconds (empty without `--ack`).
    var latencies: [Int64]

    /// The report's text.
    var text: String {
        var text = "done \(events) \(start) \(end)\n"
        if !latencies.isEmpty { text += "latency " + latencies.map(String.init).joined(separator: " ") + "\n" }
        return text
    }

    /// Reads a producer's output; nil when it is not a report.
    init?(parsing output: String) {
        var done: [Int64]?
        var latencies: [Int64] = []
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            switch fields.first {
            case "done"?:
                done = fields.dropFirst().compactMap { Int64($0) }
            case "latency"?:
                latencies = fields.dropFirst().compactMap { Int64($0) }
            default:
                return nil
            }
        }
        guard let done, done.count == 3 else { return nil }
        self.init(events: Int(done[0]), start: done[1], end: done[2], latencies: latencies)
    }

    init(events: Int, start: Int64, end: Int64, latencies: [Int64]) {
        self.events = events
        self.start = start
        self.end = end
        self.latencies = latencies
    }
}

/// The summary `ringside load` prints: events per second over the whole run (first write of
/// any producer to the last applied) and latency percentiles of acknowledged writes.
struct LoadSummary {
    let events: Int
    let seconds: Double
    /// Sorted round trips (nanoseconds).
    let latencies: [Int64]

    init(_ reports: [ProducerReport]) {
        events = reports.reduce(0) { $0 + $1.events }
        let start = reports.map(\.start).min() ?? 0
        let end = reports.map(\.end).max() ?? 0
        seconds = Double(max(end - start, 1)) / 1e9
        latencies = reports.flatMap(\.latencies).sorted()
    }

    /// Events per second.
    var rate: Double { Double(events) / seconds }

    /// The nearest-rank percentile `p` (0 to 100) of the latencies.
    func percentile(_ p: Double) -> Int64 {
        guard !latencies.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(latencies.count)).rounded(.up))
        return latencies[min(max(rank, 1), latencies.count) - 1]
    }

    /// The lines printed.
    var lines: [String] {
        var lines = ["events: \(events) in \(Self.fixed(seconds, 3)) s: \(Int(rate.rounded())) events/s"]
        if !latencies.isEmpty {
            let points: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100)]
            lines.append("latency (acknowledged round trip): " + points.map { "\($0.0) \(Self.micros(percentile($0.1)))" }.joined(separator: ", "))
        }
        return lines
    }

    /// Nanoseconds as microseconds with one decimal: `12.3 µs`.
    static func micros(_ nanoseconds: Int64) -> String { fixed(Double(nanoseconds) / 1_000, 1) + " µs" }

    /// `value` with `places` decimals.
    static func fixed(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0 ..< places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = String(scaled / Int(scale))
        guard places > 0 else { return whole }
        let fraction = String(scaled % Int(scale))
        return whole + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
