import Foundation

/// The outcome of one suite run: its summaries, plus what is needed to describe how it was made.
struct Report: Sendable {
    let suite: Suite
    let summaries: [Summary]
    let machine: Machine
    /// The command line that produced the run, as typed.
    let command: String
    /// When the run finished, ISO 8601 in UTC.
    let date: String
    /// Seconds the suite took, wall clock.
    let seconds: Double

    /// Writes `NAME.csv`, `NAME.md` and `NAME.svg` into `directory`.
    func write(to directory: URL) throws {
        try csv().write(to: directory.appendingPathComponent("\(suite.name).csv"), atomically: true, encoding: .utf8)
        try markdown().write(to: directory.appendingPathComponent("\(suite.name).md"), atomically: true, encoding: .utf8)
        try svg().write(to: directory.appendingPathComponent("\(suite.name).svg"), atomically: true, encoding: .utf8)
    }

    /// The summaries as a fixed-width table for the terminal.
    func table() -> String {
        let header = ["case", "metric", "median", "min", "max", "runs", "unit"]
        let rows = summaries.map {
            [$0.caseName, $0.metric, Console.human($0.median), Console.human($0.min),
             Console.human($0.max), String($0.runs), $0.unit]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max()!
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                Console.pad(cell, widths[index], right: (2...5).contains(index))
            }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}
