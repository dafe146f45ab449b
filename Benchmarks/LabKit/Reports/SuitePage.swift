/// What a report needs to know of its suite: the name, the one-line summary, and how its
/// chart is drawn.
package struct SuitePage: Sendable {
    /// Stable suite name: the stem of its files (`transport` -> `transport.csv`).
    package let name: String
    /// One line on what the suite measures.
    package let summary: String
    /// How its SVG draws the medians.
    package let chart: Chart

    /// A page for suite `name`.
    package init(name: String, summary: String, chart: Chart = .bars) {
        self.name = name
        self.summary = summary
        self.chart = chart
    }
}

/// How a suite's SVG presents its results. Either way, a latency family (`PREFIX_p50_ns`,
/// `_p90_ns`, `_p99_ns`, `_p999_ns`, `_max_ns`) is drawn as percentile curves on a log axis,
/// and a metric that is zero in every run is a line of text instead of an empty panel.
package enum Chart: Sendable {
    /// One panel per metric, one horizontal bar per case (the median, with a min-max whisker),
    /// each case beside its limit and its twin.
    case bars
    /// One line per series of `metric` against a numeric x value (log 2 axis), both derived
    /// from the case name by `point` (cases for which it returns nil are left out),
    /// optionally log-scaled on y; the suite's other metrics as bars.
    case lines(
        metric: String, xLabel: String, logY: Bool,
        point: @Sendable (String) -> (series: String, x: Double)?
    )
}

/// Runs of a case the lab measured but did not keep, and why (every report states them).
package struct DiscardedRuns: Sendable, Equatable {
    /// The case (or `all` for every case of the suite).
    package let caseName: String
    /// How many runs.
    package let count: Int
    /// Why, in a few words (`warm-up`, `peer failed: ...`).
    package let reason: String

    /// `count` runs of `caseName` dropped for `reason`.
    package init(caseName: String, count: Int, reason: String) {
        self.caseName = caseName
        self.count = count
        self.reason = reason
    }
}
