import Foundation

extension Report {
    /// The suite's chart as a standalone SVG (no scripts, no external fonts).
    func svg() -> String {
        switch suite.chart {
        case .bars:
            return barsSVG()
        case .lines(let metric, let xLabel, let logY, let point):
            return linesSVG(metric: metric, xLabel: xLabel, logY: logY, point: point)
        }
    }

    private static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    private func header(width: Int, height: Int) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
        viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="10" y="20" font-size="15" font-weight="bold">\(Report.escape("Lab suite \(suite.name)"))</text>
        <text x="10" y="38" font-size="10" fill="#555">\(Report.escape(machine.description))</text>

        """
    }

    /// One panel per metric; a bar per case (median) with a min-max whisker.
    private func barsSVG() -> String {
        var metrics: [String] = []
        for row in summaries where !metrics.contains(row.metric) { metrics.append(row.metric) }
        let labelWidth = 230.0, plotWidth = 460.0, barHeight = 18.0, gap = 6.0
        var body = ""
        var y = 56.0
        for (panel, metric) in metrics.enumerated() {
            let rows = summaries.filter { $0.metric == metric }
            let top = rows.map(\.max).max() ?? 1
            let scale = top > 0 ? plotWidth / top : 0
            body += "<text x=\"10\" y=\"\(y + 12)\" font-weight=\"bold\">\(Report.escape("\(metric) (\(rows[0].unit))"))</text>\n"
            y += 20
            for row in rows {
                let colour = Report.palette[panel % Report.palette.count]
                let width = max(0, row.median * scale)
                body += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(Report.escape(row.caseName))</text>\n"
                body += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(f(width))\" height=\"\(barHeight)\" fill=\"\(colour)\"/>\n"
                let low = labelWidth + max(0, row.min * scale), high = labelWidth + max(0, row.max * scale)
                body += "<line x1=\"\(f(low))\" y1=\"\(y + barHeight / 2)\" x2=\"\(f(high))\" y2=\"\(y + barHeight / 2)\" stroke=\"black\"/>\n"
                body += "<text x=\"\(f(labelWidth + width + 6))\" y=\"\(y + 13)\">\(Report.escape(Console.human(row.median)))</text>\n"
                y += barHeight + gap
            }
            y += 10
        }
        return header(width: Int(labelWidth + plotWidth + 90), height: Int(y + 10)) + body + "</svg>\n"
    }

    /// Lines of `metric` against x, one per series; log-scaled y when asked.
    private func linesSVG(
        metric: String, xLabel: String, logY: Bool,
        point: (String) -> (series: String, x: Double)?
    ) -> String {
        var series: [String] = []
        var points: [String: [(x: Double, y: Double)]] = [:]
        for row in summaries where row.metric == metric {
            guard let p = point(row.caseName), row.median > 0 || !logY else { continue }
            if points[p.series] == nil { series.append(p.series) }
            points[p.series, default: []].append((p.x, row.median))
        }
        let all = points.values.flatMap { $0 }
        let unit = summaries.first { $0.metric == metric }?.unit ?? ""
        let left = 80.0, top = 56.0, width = 520.0, height = 320.0
        var body = ""
        guard !all.isEmpty else {
            return header(width: 700, height: 80) + "<text x=\"10\" y=\"60\">no data</text>\n</svg>\n"
        }
        let xs = all.map(\.x), ys = all.map(\.y)
        let xMin = log2(max(xs.min()!, 1)), xMax = max(log2(max(xs.max()!, 1)), xMin + 1)
        func yValue(_ v: Double) -> Double { logY ? log10(v) : v }
        var yMin = yValue(ys.min()!), yMax = yValue(ys.max()!)
        if logY { yMin = yMin.rounded(.down); yMax = max(yMax.rounded(.up), yMin + 1) } else { yMin = 0; yMax = max(yMax * 1.1, 1e-9) }
        func px(_ x: Double) -> Double { left + (log2(max(x, 1)) - xMin) / (xMax - xMin) * width }
        func py(_ y: Double) -> Double { top + height - (yValue(y) - yMin) / (yMax - yMin) * height }
        body += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#999\"/>\n"
        if logY {
            for exponent in Int(yMin)...Int(yMax) {
                let y = py(pow(10, Double(exponent)))
                body += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(left + width)\" y2=\"\(f(y))\" stroke=\"#ddd\"/>\n"
                body += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Report.escape(Console.human(pow(10, Double(exponent)))))</text>\n"
            }
        } else {
            for step in 0...4 {
                let v = yMax * Double(step) / 4, y = py(v)
                body += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(left + width)\" y2=\"\(f(y))\" stroke=\"#ddd\"/>\n"
                body += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Report.escape(Console.human(v)))</text>\n"
            }
        }
        for x in Set(xs).sorted() {
            body += "<text x=\"\(f(px(x)))\" y=\"\(top + height + 16)\" text-anchor=\"middle\">\(Report.escape(Console.human(x)))</text>\n"
        }
        body += "<text x=\"\(left + width / 2)\" y=\"\(top + height + 34)\" text-anchor=\"middle\">\(Report.escape(xLabel))</text>\n"
        body += "<text x=\"16\" y=\"\(top + height / 2)\" transform=\"rotate(-90 16 \(top + height / 2))\" text-anchor=\"middle\">\(Report.escape("\(metric) (\(unit))\(logY ? ", log scale" : "")"))</text>\n"
        for (index, name) in series.enumerated() {
            let colour = Report.palette[index % Report.palette.count]
            let line = points[name]!.sorted { $0.x < $1.x }
            let path = line.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            body += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            for p in line {
                body += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(colour)\"/>\n"
            }
            let legendY = top + 14 + Double(index) * 16
            body += "<rect x=\"\(left + width + 14)\" y=\"\(legendY - 9)\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>\n"
            body += "<text x=\"\(left + width + 30)\" y=\"\(legendY)\">\(Report.escape(name))</text>\n"
        }
        return header(width: Int(left + width + 160), height: Int(top + height + 50)) + body + "</svg>\n"
    }

    private func f(_ value: Double) -> String { Console.fixed(value, 1) }

    /// Escapes text for XML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
