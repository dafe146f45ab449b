extension Report {
    /// The suite's Markdown page: what it measures, the machine, the command, and the table.
    func markdown() -> String {
        var text = "# Lab suite `\(suite.name)`\n\n\(suite.summary)\n\n"
        text += "- Machine: \(machine.description)\n"
        text += "- Command: `\(command)`\n"
        text += "- Finished: \(date), in \(Console.fixed(seconds, 1)) s\n"
        text += "- Figures: median, min and max over the runs of each case.\n\n"
        text += "| case | metric | median | min | max | runs | unit |\n"
        text += "|---|---|---:|---:|---:|---:|---|\n"
        for row in summaries {
            text += "| \(row.caseName) | \(row.metric) | \(Console.human(row.median)) | "
            text += "\(Console.human(row.min)) | \(Console.human(row.max)) | \(row.runs) | \(row.unit) |\n"
        }
        text += "\n![\(suite.name)](\(suite.name).svg)\n"
        return text
    }
}
