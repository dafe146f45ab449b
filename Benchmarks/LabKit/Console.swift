import Glibc
import Posix
import Synchronization

/// The lab's terminal: results on standard output; progress, notes and errors on standard
/// error. On a terminal the progress is one line rewritten in place (cleared before anything
/// else is written); into a file or a pipe every progress update is a plain line of its own.
package enum Console {
    /// Whether a progress line is showing (terminal only), so the next write clears it first.
    private static let lineShowing = Atomic<Bool>(false)
    /// Whether standard error is a terminal, asked once.
    private static let onTerminal = isatty(STDERR_FILENO) == 1

    /// Shows `message` as the progress line: rewritten in place on a terminal (cut to 160
    /// characters), a plain line `  .. MESSAGE` otherwise.
    package static func progress(_ message: String) {
        guard onTerminal else {
            StandardError.writeLine("  .. " + message)
            return
        }
        var line = "\r\u{1B}[K" + String(message.prefix(160))
        line.withUTF8 { bytes in try? Sys.writeFully(STDERR_FILENO, UnsafeRawBufferPointer(bytes)) }
        lineShowing.store(true, ordering: .relaxed)
    }

    /// Writes one lasting line to standard error (a note a suite wants kept in the log).
    package static func note(_ message: String) {
        clearProgress()
        StandardError.writeLine("  " + message)
    }

    /// Writes an error line to standard error.
    package static func error(_ message: String) {
        clearProgress()
        StandardError.writeLine("lab: " + message)
    }

    /// Writes `text` and a newline to standard output (tables, the summary).
    package static func output(_ text: String) {
        clearProgress()
        var line = text + "\n"
        line.withUTF8 { bytes in try? Sys.writeFully(STDOUT_FILENO, UnsafeRawBufferPointer(bytes)) }
    }

    /// Clears the progress line on a terminal, if one is showing.
    package static func clearProgress() {
        guard lineShowing.exchange(false, ordering: .relaxed) else { return }
        var clear = "\r\u{1B}[K"
        clear.withUTF8 { bytes in try? Sys.writeFully(STDERR_FILENO, UnsafeRawBufferPointer(bytes)) }
    }

    /// Formats a figure for humans: three significant digits with k/M/G suffixes above 10,000.
    package static func human(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9 { return fixed(value / 1e9, 3) + "G" }
        if magnitude >= 1e6 { return fixed(value / 1e6, 3) + "M" }
        if magnitude >= 1e4 { return fixed(value / 1e3, 3) + "k" }
        if magnitude == magnitude.rounded() { return String(Int64(value)) }
        return fixed(value, magnitude < 1 ? 4 : 2)
    }

    /// `value` with `decimals` digits after the point.
    package static func fixed(_ value: Double, _ decimals: Int) -> String {
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

    /// A duration for a progress line: `42 s`, `3 min 05 s`.
    package static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        guard whole >= 60 else { return "\(whole) s" }
        let rest = whole % 60
        return "\(whole / 60) min \(rest < 10 ? "0" : "")\(rest) s"
    }

    /// Pads or left-pads `text` to `width` characters.
    package static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}

/// A failure of the lab itself (bad arguments, a peer that failed), shown as one line.
package struct LabError: Error, CustomStringConvertible {
    /// The line shown.
    package let description: String
    /// A failure described by `description`.
    package init(_ description: String) { self.description = description }
}
