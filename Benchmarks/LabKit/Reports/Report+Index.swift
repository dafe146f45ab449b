import Foundation

extension Report {
    /// Rewrites `DIR/README.md`: the headline comparisons, then a section per suite found in
    /// the folder with its machine, command, date, a link to its page and chart, and its
    /// medians. Suites of an earlier run (their CSVs and pages in the folder) keep their
    /// sections and count in the headline, so running one suite does not drop the others.
    package static func writeIndex(reports: [Report], suites: [SuitePage], to directory: URL) throws {
        try index(reports: reports, suites: suites, directory: directory)
            .write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
    }

    /// The text of `DIR/README.md` (see ``writeIndex(reports:suites:to:)``).
    package static func index(reports: [Report], suites: [SuitePage], directory: URL) -> String {
        let fresh = Dictionary(reports.map { ($0.page.name, $0) }, uniquingKeysWith: { $1 })
        var sections = ""
        var all: [Summary] = []
        for suite in suites {
            let page = directory.appendingPathComponent("\(suite.name).md")
            let heading = "## [\(suite.name)](\(suite.name).md)\n\n\(suite.summary) Chart: [\(suite.name).svg](\(suite.name).svg).\n\n"
            if let report = fresh[suite.name] {
                all += report.summaries
                sections += heading
                sections += "- Machine: \(report.machine.description)\n- Command: `\(report.command)`\n"
                sections += "- Commit: \(report.commit)\n- Finished: \(report.date)\n- Runs thrown away: \(report.discardedDescription)\n\n"
                sections += "| case | metric | median | unit |\n|---|---|---:|---|\n"
                for row in report.summaries {
                    sections += "| \(row.caseName) | \(row.metric) | \(Console.human(row.median)) | \(row.unit) |\n"
                }
                sections += "\n"
            } else if let existing = try? String(contentsOf: page, encoding: .utf8) {
                // An earlier run's section: its header lines and its table, from its page.
                if let csv = try? String(contentsOf: directory.appendingPathComponent("\(suite.name).csv"), encoding: .utf8),
                   let rows = parseCSV(csv) {
                    all += rows
                }
                sections += heading
                let lines = existing.split(separator: "\n", omittingEmptySubsequences: false)
                let kept = lines.filter {
                    ["- Machine", "- Command", "- Commit", "- Finished", "- Runs thrown away"].contains(where: $0.hasPrefix)
                }
                sections += kept.joined(separator: "\n") + "\n\n"
                sections += lines.filter { $0.hasPrefix("|") }.joined(separator: "\n") + "\n\n"
            }
        }
        var text = "# Ringside lab results\n\n"
        text += "Written by the lab (`swift run -c release lab`); every figure is the median of repeated runs "
        text += "on the machine named in its section. Per-suite pages: the `.md` files; charts: the `.svg` files; "
        text += "raw figures: the `.csv` files (`suite,case,metric,median,min,max,runs,unit`).\n\n"
        text += "## Headline\n\nEach comparison as a ratio: above 1 the first case is better (more per second, "
        text += "or less time); `of_limit` is the case as a fraction of the hardware limit measured beside it.\n"
        let rows = Headline.rows(all)
        text += rows.isEmpty ? "\nNo comparison has both of its cases measured yet.\n\n" : Headline.markdown(rows)
        return text + sections
    }
}
