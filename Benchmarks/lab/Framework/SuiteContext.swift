import Glibc

/// What a suite sees while it runs: the repetition count, the cases asked for, a place to
/// record measurements and discarded runs, and the progress line.
struct SuiteContext {
    /// The suite running.
    let suite: String
    /// How many times each case is repeated (medians are taken over these runs).
    let runs: Int
    /// Scales work: 0.1 for `--quick`, 1.0 on defaults, 2.0 for `--full`.
    let scale: Double
    /// The cases asked for (`--case`); every case when nil.
    let casePattern: CasePattern?
    /// Every measurement recorded so far, in recording order.
    private(set) var samples: [Sample] = []
    /// Runs measured but not kept, with the reason.
    private(set) var discarded: [DiscardedRuns] = []

    init(suite: String, runs: Int, scale: Double, casePattern: CasePattern? = nil) {
        self.suite = suite
        self.runs = runs
        self.scale = scale
        self.casePattern = casePattern
    }

    /// Whether `caseName` runs: every case without `--case`; with it, the cases it matches.
    /// A label that names several cases (it holds a space, or is the suite's name) runs
    /// anyway, and only its selected cases are recorded.
    func selects(_ caseName: String) -> Bool {
        guard let casePattern else { return true }
        return casePattern.matches(caseName) || caseName == suite || caseName.contains(" ")
    }

    /// Records one measurement of `metric` for `caseName` (dropped when `--case` left it
    /// out; a limit, `limit-*`, ran for a case asked for and is always kept).
    mutating func record(case caseName: String, metric: String, value: Double, unit: String) {
        guard casePattern?.matches(caseName) ?? true || caseName.hasPrefix("limit-") else { return }
        samples.append(Sample(caseName: caseName, metric: metric, value: value, unit: unit))
    }

    /// Records a latency's histogram figures as `PREFIX_p50_ns`, `_p90_ns`, `_p99_ns`,
    /// `_p999_ns`, `_max_ns` and the sample count `PREFIX_samples`.
    mutating func record(case caseName: String, latency prefix: String, _ percentiles: LatencyHistogram.Percentiles) {
        for figure in percentiles.named {
            record(case: caseName, metric: "\(prefix)_\(figure.suffix)_ns", value: Double(figure.value), unit: "ns")
        }
        record(case: caseName, metric: "\(prefix)_samples", value: Double(percentiles.count), unit: "count")
    }

    /// Notes `count` runs of `caseName` measured and thrown away, and why; every report
    /// states them.
    mutating func discard(case caseName: String, count: Int = 1, reason: String) {
        if let index = discarded.firstIndex(where: { $0.caseName == caseName && $0.reason == reason }) {
            discarded[index] = DiscardedRuns(caseName: caseName, count: discarded[index].count + count, reason: reason)
        } else {
            discarded.append(DiscardedRuns(caseName: caseName, count: count, reason: reason))
        }
        Console.note("\(caseName): \(count) run\(count == 1 ? "" : "s") thrown away (\(reason))")
    }

    /// The repetitions of a case (or of a group of cases), 1 to ``runs`` (none when `--case`
    /// leaves it out), each shown on the progress line.
    func repetitions(_ label: String, detail: String? = nil) -> Repetitions {
        Repetitions(label: label, detail: detail, runs: selects(label) ? runs : 0)
    }

    /// `count` scaled by `scale`, never below `minimum`.
    func scaled(_ count: Int, minimum: Int = 1) -> Int {
        max(minimum, Int((Double(count) * scale).rounded()))
    }

    /// Shows `message` on the progress line (a plain line when the output is a file).
    func progress(_ message: String) {
        LabProgress.shared.note(message)
    }
}

/// A `--case` pattern: one or more alternatives, comma-separated (no case name holds a
/// comma), each a glob (`*`, `?`, `[...]`, as the shell's) when it holds one of those,
/// otherwise any case whose name contains it.
struct CasePattern: Sendable {
    /// The pattern as given.
    let text: String
    /// The alternatives, none of them empty.
    let alternatives: [String]

    /// The pattern `text` (`shm-*`, `pingpong`, `shm-pingpong-32B,timeline-shm-binary`);
    /// throws when it or one of its alternatives is empty.
    init(text: String) throws {
        self.text = text
        alternatives = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !alternatives.contains(where: \.isEmpty) else {
            throw LabError("--case '\(text)': an empty pattern (patterns are comma-separated)")
        }
    }

    func matches(_ caseName: String) -> Bool {
        alternatives.contains { pattern in
            guard pattern.contains(where: { "*?[".contains($0) }) else { return caseName.contains(pattern) }
            return fnmatch(pattern, caseName, 0) == 0
        }
    }
}

/// The run numbers of a repetition loop, 1 to its count, each announced on the progress line
/// (`LABEL: run I of N[, DETAIL]`) as the loop reaches it.
struct Repetitions: Sequence, IteratorProtocol {
    let label: String
    let detail: String?
    let runs: Int
    private var run = 0

    init(label: String, detail: String?, runs: Int) {
        self.label = label
        self.detail = detail
        self.runs = runs
    }

    /// The next run number, after its progress line.
    mutating func next() -> Int? {
        guard run < runs else { return nil }
        run += 1
        LabProgress.shared.repetition(label, run, of: runs, detail: detail)
        return run
    }
}
