import Foundation

extension Report {
    /// The suite's chart as one standalone SVG (no scripts, no external fonts): a panel per
    /// concern, stacked. Latency families (`PREFIX_p50_ns` ... `PREFIX_max_ns`) are
    /// percentile curves on a log axis, every case of the family on one chart; the line
    /// chart's metric (contention: ns per increment against threads) is a line chart; every
    /// other metric is a bar panel (median bars with min-max whiskers, each case beside its
    /// limit and its twin); a metric that is zero in every run is one line of text.
    package func svg() -> String {
        var canvas = SVGCanvas(width: 760)
        canvas.text(x: 10, y: 22, "Lab suite \(page.name)", size: 15, bold: true)
        canvas.y = 26
        for line in SVGCanvas.wrap(page.summary, width: 120) {
            canvas.text(x: 10, y: canvas.y + 12, line, size: 11)
            canvas.y += 15
        }
        for line in SVGCanvas.wrap("\(machine.description); commit \(commit); \(date)", width: 140) {
            canvas.text(x: 10, y: canvas.y + 12, line, size: 10, fill: "#555")
            canvas.y += 13
        }
        canvas.y += 11
        canvas.legend([(SVGCanvas.ringside, "Ringside case"), (SVGCanvas.limit, "hardware limit (limit-*)"),
                       (SVGCanvas.twin, "twin it is compared with (TCP, JSON, Redis, contended, malloc)")])
        var drawn: Set<String> = []
        for family in latencyFamilies() {
            percentilePanel(&canvas, family)
            drawn.formUnion(family.metrics)
        }
        if case .lines(let metric, let xLabel, let logY, let point) = page.chart {
            linesPanel(&canvas, metric: metric, xLabel: xLabel, logY: logY, point: point)
            drawn.insert(metric)
        }
        var lines: [String] = []
        for metric in metricsInOrder() where !drawn.contains(metric) {
            let rows = summaries.filter { $0.metric == metric }
            if rows.allSatisfy({ $0.min == 0 && $0.max == 0 }) {
                lines.append("\(metric) (\(rows[0].unit)): 0 in every run of every case")
            } else if metric.hasSuffix("_samples") {
                lines.append("\(metric) (samples per run): " + rows.map { "\($0.caseName) \(Console.human($0.median))" }.joined(separator: ", "))
            } else {
                barsPanel(&canvas, metric: metric, rows: rows)
            }
        }
        for line in lines {
            canvas.y += 4
            canvas.text(x: 10, y: canvas.y + 12, line, size: 12)
            canvas.y += 16
        }
        return canvas.finished()
    }

    /// The metrics in the order first recorded.
    private func metricsInOrder() -> [String] {
        var metrics: [String] = []
        for row in summaries where !metrics.contains(row.metric) { metrics.append(row.metric) }
        return metrics
    }

    /// A latency family: metrics `PREFIX_SUFFIX_ns` for the histogram's suffixes.
    private struct LatencyFamily {
        let prefix: String
        var metrics: Set<String>
    }

    /// The percentile suffixes and where they sit on the chart's "nines" axis
    /// (`-log10(1 - p)`; the maximum one step past p99.9).
    private static let percentilePositions: [(suffix: String, label: String, x: Double)] = [
        ("p50", "p50", log10(2)), ("p90", "p90", 1), ("p99", "p99", 2), ("p999", "p99.9", 3), ("max", "max", 4),
    ]

    private func latencyFamilies() -> [LatencyFamily] {
        var families: [LatencyFamily] = []
        for metric in metricsInOrder() where metric.hasSuffix("_ns") {
            for position in Report.percentilePositions where metric.hasSuffix("_\(position.suffix)_ns") {
                let prefix = String(metric.dropLast(position.suffix.count + 4))
                if let index = families.firstIndex(where: { $0.prefix == prefix }) {
                    families[index].metrics.insert(metric)
                } else {
                    families.append(LatencyFamily(prefix: prefix, metrics: [metric]))
                }
            }
        }
        return families.filter { $0.metrics.count >= 2 }
    }

    /// Percentile curves of one latency family: one curve per case, log y.
    private func percentilePanel(_ canvas: inout SVGCanvas, _ family: LatencyFamily) {
        var cases: [String] = []
        var points: [String: [(x: Double, y: Double)]] = [:]
        for row in summaries where family.metrics.contains(row.metric) && row.median > 0 {
            guard let position = Report.percentilePositions.first(where: { row.metric == "\(family.prefix)_\($0.suffix)_ns" }) else { continue }
            if points[row.caseName] == nil { cases.append(row.caseName) }
            points[row.caseName, default: []].append((position.x, row.median))
        }
        guard !cases.isEmpty else { return }
        let ys = points.values.flatMap { $0.map(\.y) }
        let plot = SVGCanvas.Plot(
            left: 90, top: canvas.y + 30, width: 460, height: 260,
            x: .linear(min: 0, max: 4), y: .log(min: ys.min()!, max: ys.max()!))
        canvas.text(x: 10, y: canvas.y + 18, "\(family.prefix) latency by percentile (median of the runs)", size: 13, bold: true)
        canvas.frame(plot, xTicks: Report.percentilePositions.map { ($0.x, $0.label) },
                     xTitle: "percentile", yTitle: "\(family.prefix) (ns, log scale)")
        for (index, name) in cases.enumerated() {
            let colour = SVGCanvas.colour(index, for: name)
            canvas.polyline(plot, points[name]!.sorted { $0.x < $1.x }, colour: colour)
            canvas.legendEntry(plot, index, name, colour)
        }
        canvas.y = plot.top + plot.height + 50
    }

    /// The line chart of `metric` against the x value `point` gives each case.
    private func linesPanel(
        _ canvas: inout SVGCanvas, metric: String, xLabel: String, logY: Bool,
        point: (String) -> (series: String, x: Double)?
    ) {
        var series: [String] = []
        var points: [String: [(x: Double, y: Double)]] = [:]
        for row in summaries where row.metric == metric {
            guard let p = point(row.caseName), row.median > 0 || !logY else { continue }
            if points[p.series] == nil { series.append(p.series) }
            points[p.series, default: []].append((p.x, row.median))
        }
        guard !series.isEmpty else { return }
        let unit = summaries.first { $0.metric == metric }?.unit ?? ""
        let xs = points.values.flatMap { $0.map(\.x) }, ys = points.values.flatMap { $0.map(\.y) }
        let plot = SVGCanvas.Plot(
            left: 90, top: canvas.y + 30, width: 460, height: 300,
            x: .binaryLog(min: xs.min()!, max: xs.max()!),
            y: logY ? .log(min: ys.min()!, max: ys.max()!) : .linear(min: 0, max: ys.max()! * 1.1))
        canvas.text(x: 10, y: canvas.y + 18, "\(metric) against \(xLabel) (median of the runs)", size: 13, bold: true)
        canvas.frame(plot, xTicks: Set(xs).sorted().map { ($0, SVGCanvas.tick($0)) }, xTitle: xLabel,
                     yTitle: "\(metric) (\(unit)\(logY ? ", log scale" : ""))")
        for (index, name) in series.enumerated() {
            let colour = SVGCanvas.palette[index % SVGCanvas.palette.count]
            canvas.polyline(plot, points[name]!.sorted { $0.x < $1.x }, colour: colour)
            canvas.legendEntry(plot, index, name, colour)
        }
        canvas.y = plot.top + plot.height + 50
    }

    /// One bar per case (median, min-max whisker), each limit and twin right after the case
    /// it bounds or is compared with; `of_limit` panels mark 1.0, the hardware.
    private func barsPanel(_ canvas: inout SVGCanvas, metric: String, rows: [Summary]) {
        let ordered = Report.besideTheirPartners(rows, limits: limitOfCase())
        let unit = rows[0].unit
        let isFraction = metric == "of_limit"
        let top = max(ordered.map(\.max).max() ?? 1, isFraction ? 1 : 0)
        // Figures spanning more than two decades (binary against JSON) on a log axis, so
        // the small bars still show; the rest on a linear one from 0 to a round number.
        let smallest = ordered.flatMap { [$0.min, $0.median] }.filter { $0 > 0 }.min() ?? top
        let logarithmic = !isFraction && smallest > 0 && top / smallest > 100
        let barHeight = 16.0, gap = 5.0
        let plotTop = canvas.y + 28
        let axis: SVGCanvas.Axis
        let ticks: [Double]
        if logarithmic {
            axis = .log(min: smallest, max: top)
            let (low, high) = SVGCanvas.Axis.decades(smallest, top)
            ticks = (Int(low)...Int(high)).map { pow(10, Double($0)) }
        } else {
            let step = SVGCanvas.niceStep(top > 0 ? top / 4 : 0.25)
            let end = (top / step).rounded(.up) * step
            axis = .linear(min: 0, max: end)
            ticks = stride(from: 0, through: end + step / 2, by: step).map { $0 }
        }
        let plot = SVGCanvas.Plot(
            left: 230, top: plotTop, width: 400, height: Double(ordered.count) * (barHeight + gap) + gap,
            x: axis, y: .linear(min: 0, max: 1))
        canvas.text(
            x: 10, y: canvas.y + 18,
            isFraction ? "of_limit: each case as a fraction of the limit measured beside it (1.0 is the hardware)"
                : "\(metric) (\(unit)): median bar, min-max whisker\(logarithmic ? ", log scale" : "")", size: 13, bold: true)
        canvas.frame(
            plot, xTicks: ticks.map { ($0, SVGCanvas.tick($0)) },
            xTitle: isFraction ? "of_limit (case over limit; median bar, min-max whisker)"
                : "\(metric) (\(unit)\(logarithmic ? ", log scale" : ""))", yTitle: "case")
        var y = plotTop + gap
        for row in ordered {
            let colour = SVGCanvas.role(of: row.caseName)
            canvas.text(x: plot.left - 6, y: y + 12, row.caseName, anchor: "end")
            canvas.rect(x: plot.left, y: y, width: plot.px(row.median) - plot.left, height: barHeight, fill: colour)
            canvas.whisker(from: plot.px(row.min), to: plot.px(row.max), y: y + barHeight / 2)
            canvas.text(x: plot.px(row.max) + 6, y: y + 12, Console.human(row.median) + (isFraction ? " \(row.unit)" : ""), size: 11)
            y += barHeight + gap
        }
        if isFraction {
            canvas.dashedVertical(x: plot.px(1), top: plot.top, bottom: plot.top + plot.height, label: "limit (1.0)")
        }
        canvas.y = plot.top + plot.height + 48
    }

    /// Case -> the limit its `of_limit` row names (its unit, `of limit-spsc-32B`).
    private func limitOfCase() -> [String: String] {
        Dictionary(
            summaries.compactMap { row in
                row.metric == "of_limit" && row.unit.hasPrefix("of limit-") ? (row.caseName, String(row.unit.dropFirst(3))) : nil
            },
            uniquingKeysWith: { first, _ in first })
    }

    /// `rows` reordered so that each case's limit (`limit-*`) comes right before it and each
    /// twin of a headline comparison right after it; the rest keep their order.
    static func besideTheirPartners(_ rows: [Summary], limits boundBy: [String: String]) -> [Summary] {
        var placed: Set<String> = []
        var ordered: [Summary] = []
        func place(_ name: String) {
            guard !placed.contains(name), let row = rows.first(where: { $0.caseName == name }) else { return }
            placed.insert(name)
            ordered.append(row)
        }
        for row in rows where !row.caseName.hasPrefix("limit-") || !boundBy.values.contains(row.caseName) {
            if let limit = boundBy[row.caseName] { place(limit) }
            place(row.caseName)
            for twin in Headline.comparisons where twin.subject == row.caseName { place(twin.reference) }
        }
        for row in rows { place(row.caseName) }
        return ordered
    }
}
