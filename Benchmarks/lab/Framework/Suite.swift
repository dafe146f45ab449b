/// One suite of the lab: a named group of cases that measure one concern, each case
/// recorded under stable `case` and `metric` identifiers (DESIGN, contract 4).
struct Suite: Sendable {
    /// Stable name: the `--suite` argument and the stem of the files written to the output folder.
    let name: String
    /// One line on what the suite measures, printed by `--help` and in the reports.
    let summary: String
    /// How the suite's SVG draws its medians.
    let chart: Chart
    /// Helper roles this suite runs in child processes (`lab __peer ROLE ARGS...`), by role name.
    let peers: [String: @Sendable ([String]) throws -> Void]
    /// Runs every case `context.runs` times, recording each measurement in the context.
    let run: @Sendable (inout SuiteContext) throws -> Void

    init(
        name: String,
        summary: String,
        chart: Chart = .bars,
        peers: [String: @Sendable ([String]) throws -> Void] = [:],
        run: @escaping @Sendable (inout SuiteContext) throws -> Void
    ) {
        self.name = name
        self.summary = summary
        self.chart = chart
        self.peers = peers
        self.run = run
    }
}

/// How a suite's SVG presents its results.
enum Chart: Sendable {
    /// One panel per metric, one horizontal bar per case (the median, with a min-max whisker).
    case bars
    /// One line per series of `metric` against a numeric x value, both derived from the case
    /// name by `point` (cases for which it returns nil are left out), optionally log-scaled on y.
    case lines(
        metric: String, xLabel: String, logY: Bool,
        point: @Sendable (String) -> (series: String, x: Double)?
    )
}

/// What a suite sees while it runs: the repetition count, a place to record measurements,
/// and a progress line on standard error.
struct SuiteContext {
    /// How many times each case is repeated (medians are taken over these runs).
    let runs: Int
    /// Scales work down for a quick smoke run (`--quick`); 1.0 on defaults.
    let scale: Double
    /// Every measurement recorded so far, in recording order.
    private(set) var samples: [Sample] = []

    init(runs: Int, scale: Double) {
        self.runs = runs
        self.scale = scale
    }

    /// Records one measurement of `metric` for `caseName`.
    mutating func record(case caseName: String, metric: String, value: Double, unit: String) {
        samples.append(Sample(caseName: caseName, metric: metric, value: value, unit: unit))
    }

    /// The repetitions of a case (or of the whole suite), 1 to ``runs``, each announced on
    /// standard error as `LABEL: run I of N[, DETAIL]`.
    func repetitions(_ label: String, detail: String? = nil) -> Repetitions {
        Repetitions(label: label, detail: detail, runs: runs)
    }

    /// `count` scaled by `scale`, never below `minimum`.
    func scaled(_ count: Int, minimum: Int = 1) -> Int {
        max(minimum, Int((Double(count) * scale).rounded()))
    }

    /// Prints one progress line to standard error.
    func progress(_ message: String) {
        Console.progress(message)
    }
}

/// One recorded measurement.
struct Sample: Sendable {
    let caseName: String
    let metric: String
    let value: Double
    let unit: String
}
