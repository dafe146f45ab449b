import Foundation

extension Report {
    /// Rewrites `DIR/README.md`: the machine, then one section per suite found in the folder,
    /// each with its command, date and medians. Suites run earlier (other CSVs in the folder)
    /// keep their sections, so running one suite does not drop the others.
    static func writeIndex(reports: [Report], suites: [Suite], to directory: URL) throws {
        let fresh = Dictionary(reports.map { ($0.suite.name, $0) }, uniquingKeysWith: { $1 })
        var text = "# Ringside lab results\n\n"
        text += "Written by the lab (`swift run -c release lab`); every figure below is the median of "
        text += "repeated runs on the machine named in its section. Per-suite pages: the `.md` files; "
        text += "raw figures: the `.csv` files (`suite,case,metric,median,min,max,runs,unit`).\n\n"
        for suite in suites {
            let page = directory.appendingPathComponent("\(suite.name).md")
            if let report = fresh[suite.name] {
                text += "## [\(suite.name)](\(suite.name).md)\n\n\(suite.summary)\n\n"
                text += "- Machine: \(report.machine.description)\n- Command: `\(report.command)`\n- Finished: \(report.date)\n\n"
                text += "| case | metric | median | unit |\n|---|---|---:|---|\n"
                for row in report.summaries {
                    text += "| \(row.caseName) | \(row.metric) | \(Console.human(row.median)) | \(row.unit) |\n"
                }
                text += "\n"
            } else if FileManager.default.fileExists(atPath: page.path),
                      let existing = try? String(contentsOf: page, encoding: .utf8) {
                // Keep the earlier run's header lines (machine, command, date) and table.
                text += "## [\(suite.name)](\(suite.name).md)\n\n\(suite.summary)\n\n"
                let kept = existing.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { $0.hasPrefix("- Machine") || $0.hasPrefix("- Command") || $0.hasPrefix("- Finished") || $0.hasPrefix("|") }
                text += kept.joined(separator: "\n") + "\n\n"
            }
        }
        try text.write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
    }
}
