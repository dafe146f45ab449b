extension Report {
    /// The suite's Markdown page: what it measures, how and where it ran (command, machine,
    /// commit, date, runs thrown away), the table and the chart.
    package func markdown() -> String {
        var text = "# Lab suite `\(page.name)`\n\n\(page.summary)\n\n"
        text += "- Command: `\(command)`\n"
        text += "- Machine: \(machine.cpuModel), \(machine.cores) cores, \(Console.fixed(machine.memoryGiB, 1)) GiB\n"
        text += "- Kernel: \(machine.kernel)\n"
        text += "- Swift: \(machine.swiftVersion)\n"
        text += "- Commit: \(commit)\n"
        text += "- Finished: \(date), in \(Console.fixed(seconds, 1)) s\n"
        text += "- Runs thrown away: \(discardedDescription)\n"
        text += "- Figures: median, min and max over the runs of each case. Latencies (`*_p50_ns` ... `*_max_ns`) "
        text += "come from a log-linear histogram within 0.39 % of the exact sample (the maximum is exact), "
        text += "`*_samples` is its count. `of_limit` is the case against the limit named in its unit, "
        text += "measured side by side in each run (throughput over the limit's, or the limit's latency over "
        text += "the case's: 1.0 is the hardware). Warm-ups inside a run (untimed round trips, an untimed first "
        text += "pass) are part of that run, not runs thrown away.\n\n"
        text += "| case | metric | median | min | max | runs | unit |\n"
        text += "|---|---|---:|---:|---:|---:|---|\n"
        for row in summaries {
            text += "| \(row.caseName) | \(row.metric) | \(Console.human(row.median)) | "
            text += "\(Console.human(row.min)) | \(Console.human(row.max)) | \(row.runs) | \(row.unit) |\n"
        }
        text += "\n![\(page.name)](\(page.name).svg)\n"
        return text
    }
}
