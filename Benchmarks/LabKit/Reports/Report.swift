import Foundation

/// The outcome of one suite run: its summaries, plus what is needed to describe how it was made.
package struct Report: Sendable {
    /// The suite.
    package let page: SuitePage
    /// One row per (case, metric), in recording order.
    package let summaries: [Summary]
    /// Runs measured but thrown away, with the reason.
    package let discarded: [DiscardedRuns]
    /// Where it ran.
    package let machine: Machine
    /// The command line that produced the run, as typed.
    package let command: String
    /// The git commit of the code measured.
    package let commit: String
    /// When the run finished, ISO 8601 in UTC.
    package let date: String
    /// Seconds the suite took, wall clock.
    package let seconds: Double

    /// A report made of its parts.
    package init(
        page: SuitePage, summaries: [Summary], discarded: [DiscardedRuns] = [],
        machine: Machine, command: String, commit: String, date: String, seconds: Double
    ) {
        self.page = page
        self.summaries = summaries
        self.discarded = discarded
        self.machine = machine
        self.command = command
        self.commit = commit
        self.date = date
        self.seconds = seconds
    }

    /// Writes `NAME.csv`, `NAME.md` and `NAME.svg` into `directory`.
    package func write(to directory: URL) throws {
        try csv().write(to: directory.appendingPathComponent("\(page.name).csv"), atomically: true, encoding: .utf8)
        try markdown().write(to: directory.appendingPathComponent("\(page.name).md"), atomically: true, encoding: .utf8)
        try svg().write(to: directory.appendingPathComponent("\(page.name).svg"), atomically: true, encoding: .utf8)
    }

    /// The discarded runs in one sentence: `none` or `3 of shm-spsc-32B (warm-up); ...`.
    package var discardedDescription: String {
        guard !discarded.isEmpty else { return "none" }
        return discarded.map { "\($0.count) of \($0.caseName) (\($0.reason))" }.joined(separator: "; ")
    }

    /// The summaries as a fixed-width table for the terminal.
    package func table() -> String {
        Report.textTable(
            header: ["case", "metric", "median", "min", "max", "runs", "unit"],
            rows: summaries.map {
                [$0.caseName, $0.metric, Console.human($0.median), Console.human($0.min),
                 Console.human($0.max), String($0.runs), $0.unit]
            },
            rightAligned: 2...5)
    }

    /// A fixed-width table: a header, a rule, the rows; columns in `rightAligned` flush right.
    package static func textTable(header: [String], rows: [[String]], rightAligned: ClosedRange<Int>) -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max()!
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                Console.pad(cell, widths[index], right: rightAligned.contains(index))
            }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}
