import Glibc
import Posix

/// Output helpers: results on standard output, progress and errors on standard error.
enum Console {
    /// Writes one line to standard error (progress never mixes with the tables on stdout).
    static func progress(_ message: String) {
        StandardError.writeLine("  .. " + message)
    }

    /// Writes an error line to standard error.
    static func error(_ message: String) {
        StandardError.writeLine("lab: " + message)
    }

    /// Formats a figure for humans: three significant digits with k/M/G suffixes above 10,000.
    static func human(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9 { return fixed(value / 1e9, 3) + "G" }
        if magnitude >= 1e6 { return fixed(value / 1e6, 3) + "M" }
        if magnitude >= 1e4 { return fixed(value / 1e3, 3) + "k" }
        if magnitude == magnitude.rounded() { return String(Int64(value)) }
        return fixed(value, magnitude < 1 ? 4 : 2)
    }

    /// `value` with `decimals` digits after the point.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.hasSuffix(".0") && decimals == 0 { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), !text.contains("e") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        }
        return text
    }

    /// Pads or left-pads `text` to `width` characters.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
