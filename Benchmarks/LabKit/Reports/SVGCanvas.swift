import Foundation

/// The lab's SVG drawing surface: panels stacked from top to bottom (``y`` is where the
/// next one starts), plots with framed axes, ticks and titles, and XML-escaped text.
struct SVGCanvas {
    /// Blue: a Ringside case.
    static let ringside = "#1f77b4"
    /// Grey: a hardware limit measured by the lab.
    static let limit = "#9e9e9e"
    /// Orange: what a Ringside case is compared with.
    static let twin = "#ff7f0e"
    /// Series colours of line charts.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The colour of a case's bar: limit, twin (the reference of a headline comparison), or Ringside.
    static func role(of caseName: String) -> String {
        if caseName.hasPrefix("limit-") { return limit }
        if Headline.comparisons.contains(where: { $0.reference == caseName }) { return twin }
        return ringside
    }

    /// A curve's colour: grey for a limit, else the palette's.
    static func colour(_ index: Int, for caseName: String) -> String {
        caseName.hasPrefix("limit-") ? limit : palette[index % palette.count]
    }

    /// An axis mapping values to a 0 ... 1 fraction of the plot.
    enum Axis {
        case linear(min: Double, max: Double)
        /// Base 10, from the power of ten at or below `min` to the one at or above `max`.
        case log(min: Double, max: Double)
        /// Base 2 (thread counts), `min` and `max` at least 1.
        case binaryLog(min: Double, max: Double)

        func fraction(_ value: Double) -> Double {
            switch self {
            case .linear(let low, let high):
                return high > low ? (value - low) / (high - low) : 0
            case .log(let low, let high):
                let (a, b) = Axis.decades(low, high)
                return (log10(max(value, 1e-300)) - a) / (b - a)
            case .binaryLog(let low, let high):
                let a = Foundation.log2(max(low, 1)), b = max(Foundation.log2(max(high, 1)), a + 1)
                return (Foundation.log2(max(value, 1)) - a) / (b - a)
            }
        }

        func value(atFraction fraction: Double) -> Double {
            switch self {
            case .linear(let low, let high): return low + fraction * (high - low)
            case .log(let low, let high):
                let (a, b) = Axis.decades(low, high)
                return pow(10, a + fraction * (b - a))
            case .binaryLog(let low, let high):
                let a = Foundation.log2(max(low, 1)), b = max(Foundation.log2(max(high, 1)), a + 1)
                return pow(2, a + fraction * (b - a))
            }
        }

        /// Whole decades around `low ... high` (at least one).
        static func decades(_ low: Double, _ high: Double) -> (Double, Double) {
            let a = log10(max(low, 1e-300)).rounded(.down)
            return (a, max(log10(max(high, 1e-300)).rounded(.up), a + 1))
        }
    }

    /// A plot area and its axes.
    struct Plot {
        let left: Double
        let top: Double
        let width: Double
        let height: Double
        let x: Axis
        let y: Axis

        func px(_ value: Double) -> Double { left + Swift.max(0, Swift.min(1, x.fraction(value))) * width }
        func py(_ value: Double) -> Double { top + height - Swift.max(0, Swift.min(1, y.fraction(value))) * height }
    }

    let width: Double
    /// Where the next panel starts.
    var y = 0.0
    private var body = ""

    init(width: Double) {
        self.width = width
    }

    /// The whole document.
    func finished() -> String {
        let height = Int(y + 16)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(height)" \
            viewBox="0 0 \(Int(width)) \(height)" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """ + body + "</svg>\n"
    }

    mutating func text(
        x: Double, y: Double, _ content: String, size: Int = 12, bold: Bool = false, fill: String = "black",
        anchor: String = "start", rotate: Bool = false
    ) {
        var attributes = "x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" fill=\"\(fill)\" text-anchor=\"\(anchor)\""
        if bold { attributes += " font-weight=\"bold\"" }
        if rotate { attributes += " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" }
        body += "<text \(attributes)>\(SVGCanvas.escape(content))</text>\n"
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String) {
        body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(Swift.max(0, width)))\" height=\"\(f(height))\" fill=\"\(fill)\"/>\n"
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black", dashed: Bool = false) {
        body += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>\n"
    }

    /// A min-max whisker with end caps.
    mutating func whisker(from low: Double, to high: Double, y: Double) {
        line(low, y, high, y)
        line(low, y - 4, low, y + 4)
        line(high, y - 4, high, y + 4)
    }

    mutating func dashedVertical(x: Double, top: Double, bottom: Double, label: String) {
        line(x, top, x, bottom, stroke: "#444", dashed: true)
        text(x: x + 4, y: top + 10, label, size: 10, fill: "#444")
    }

    /// The legend of bar colours, one row.
    mutating func legend(_ entries: [(colour: String, label: String)]) {
        var x = 10.0
        for entry in entries {
            rect(x: x, y: y, width: 10, height: 10, fill: entry.colour)
            text(x: x + 14, y: y + 9, entry.label, size: 10)
            x += 24 + Double(entry.label.count) * 5.6
        }
        y += 18
    }

    /// The plot's frame, grid lines and tick labels on both axes, and both axis titles.
    mutating func frame(_ plot: Plot, xTicks: [(value: Double, label: String)], xTitle: String, yTitle: String) {
        body += "<rect x=\"\(f(plot.left))\" y=\"\(f(plot.top))\" width=\"\(f(plot.width))\" height=\"\(f(plot.height))\" fill=\"none\" stroke=\"#999\"/>\n"
        for tick in xTicks {
            let x = plot.px(tick.value)
            line(x, plot.top + plot.height, x, plot.top + plot.height + 4, stroke: "#999")
            text(x: x, y: plot.top + plot.height + 16, tick.label, size: 10, anchor: "middle")
        }
        text(x: plot.left + plot.width / 2, y: plot.top + plot.height + 32, xTitle, anchor: "middle")
        switch plot.y {
        case .log(let low, let high):
            let (a, b) = Axis.decades(low, high)
            for exponent in Int(a)...Int(b) {
                // 1, 2, 5 in each decade when there are few, powers of ten alone otherwise.
                for step in (b - a <= 3 ? [1.0, 2, 5] : [1.0]) where exponent < Int(b) || step == 1 {
                    let value = step * pow(10, Double(exponent)), y = plot.py(value)
                    line(plot.left, y, plot.left + plot.width, y, stroke: step == 1 ? "#ccc" : "#eee")
                    text(x: plot.left - 6, y: y + 4, SVGCanvas.tick(value), size: 10, anchor: "end")
                }
            }
        case .linear where yTitle != "case", .binaryLog:
            for step in 0...4 {
                let value = plot.y.value(atFraction: Double(step) / 4), y = plot.py(value)
                line(plot.left, y, plot.left + plot.width, y, stroke: "#eee")
                text(x: plot.left - 6, y: y + 4, SVGCanvas.tick(value), size: 10, anchor: "end")
            }
        case .linear:
            break
        }
        let titleX = yTitle == "case" ? 14.0 : plot.left - 62
        text(x: titleX, y: plot.top + plot.height / 2, yTitle, anchor: "middle", rotate: true)
    }

    /// A curve with a dot at each point.
    mutating func polyline(_ plot: Plot, _ points: [(x: Double, y: Double)], colour: String) {
        let path = points.map { "\(f(plot.px($0.x))),\(f(plot.py($0.y)))" }.joined(separator: " ")
        body += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
        for point in points {
            body += "<circle cx=\"\(f(plot.px(point.x)))\" cy=\"\(f(plot.py(point.y)))\" r=\"3\" fill=\"\(colour)\"/>\n"
        }
    }

    /// Legend entry `index` of a line chart, right of the plot.
    mutating func legendEntry(_ plot: Plot, _ index: Int, _ name: String, _ colour: String) {
        let y = plot.top + 14 + Double(index) * 16
        rect(x: plot.left + plot.width + 14, y: y - 9, width: 10, height: 10, fill: colour)
        text(x: plot.left + plot.width + 30, y: y, name, size: 11)
    }

    private func f(_ value: Double) -> String { Console.fixed(value, 1) }

    /// A tick label: the console's figure without trailing zeros (`500k`, `1.5M`, `0.25`).
    static func tick(_ value: Double) -> String {
        var text = Console.human(value)
        let suffix = text.last.map { "kMG".contains($0) } == true ? String(text.removeLast()) : ""
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + suffix
    }

    /// The round step (1, 2 or 5 times a power of ten) at or above `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0 else { return 1 }
        let power = pow(10, log10(rough).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= rough * (1 - 1e-9) { return factor * power }
        return 10 * power
    }

    /// `text` cut into lines of at most `width` characters at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Escapes text for XML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
