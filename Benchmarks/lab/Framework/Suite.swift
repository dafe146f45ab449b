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

    /// What the reports need of the suite.
    var page: SuitePage { SuitePage(name: name, summary: summary, chart: chart) }
}

/// Thrown by a suite that cannot run here (a peer program not installed): the lab says why
/// and goes on with the next suite.
struct SuiteSkipped: Error {
    /// What is missing and how to get it.
    let reason: String
}
