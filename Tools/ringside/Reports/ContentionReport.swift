import Counting
import Foundation

/// The results of `ringside contention` as a table or as JSON.
struct ContentionReport {
    let results: [CountingResult]

    /// Wall time per increment of mode plain, the reference for the "vs plain" column.
    private var plainNanoseconds: Double? {
        results.first { $0.mode == .plain }?.nanosecondsPerIncrement
    }

    /// How many times faster than plain `result` counts (below 1: slower), when plain ran.
    private func speedVersusPlain(_ result: CountingResult) -> Double? {
        guard let plain = plainNanoseconds, result.nanosecondsPerIncrement > 0 else { return nil }
        return plain / result.nanosecondsPerIncrement
    }

    /// Below this wall time the CPU ratio means nothing: reading the process CPU clock is a
    /// system call that takes about as long as the case itself.
    static let shortestForCPURatio = 0.001

    /// One row per case, columns aligned.
    func table() -> String {
        let header = ["mode", "threads", "time", "ns/inc", "vs plain", "cpu/wall", ""]
        let rows = results.map { result -> [String] in
            [
                result.mode.rawValue,
                String(result.threads),
                Self.duration(result.wallSeconds),
                Self.significant(result.nanosecondsPerIncrement),
                speedVersusPlain(result).map(Self.relative) ?? "-",
                result.wallSeconds < Self.shortestForCPURatio ? "-" : "\(Int((result.cpuOverWall * 100).rounded()))%",
                result.extrapolated
                    ? "extrapolated: \(Self.duration(result.estimatedSeconds)) for \(Self.grouped(result.target)) (reached \(Self.grouped(result.counted)))"
                    : "",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let numeric: Set<Int> = [1, 2, 3, 4, 5]
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let fill = String(repeating: " ", count: widths[column] - cell.count)
                return numeric.contains(column) ? fill + cell : cell + fill
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var text = [line(header)] + rows.map(line)
        if let first = results.first {
            text.append("")
            text.append("target \(Self.grouped(first.target)) increments, budget \(first.budgetSeconds) s per case")
        }
        return text.joined(separator: "\n")
    }

    /// The same figures as JSON: the raw measurements and the derived columns.
    func json() throws -> String {
        struct Row: Encodable {
            let mode: String
            let threads: Int
            let target: UInt64
            let counted: UInt64
            let finalCounter: UInt64
            let seconds: Double
            let estimatedSeconds: Double
            let extrapolated: Bool
            let nsPerIncrement: Double
            let speedVsPlain: Double?
            let cpuSeconds: Double
            let cpuOverWall: Double
            let budgetSeconds: Double
            let drains: UInt64
            let perThread: [UInt64]
        }
        let rows = results.map { result in
            Row(
                mode: result.mode.rawValue, threads: result.threads, target: result.target, counted: result.counted,
                finalCounter: result.finalCounter, seconds: result.wallSeconds, estimatedSeconds: result.estimatedSeconds,
                extrapolated: result.extrapolated, nsPerIncrement: result.nanosecondsPerIncrement,
                speedVsPlain: speedVersusPlain(result), cpuSeconds: result.cpuSeconds, cpuOverWall: result.cpuOverWall,
                budgetSeconds: result.budgetSeconds, drains: result.drains, perThread: result.perThread)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    /// A duration for people: ns, µs, ms, s, min or h with three significant digits.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1e-6: significant(seconds * 1e9) + " ns"
        case ..<1e-3: significant(seconds * 1e6) + " µs"
        case ..<1: significant(seconds * 1e3) + " ms"
        case ..<120: significant(seconds) + " s"
        case ..<7_200: significant(seconds / 60) + " min"
        default: significant(seconds / 3_600) + " h"
        }
    }

    /// `value` with three significant digits (scientific notation below 0.001 and from 100,000).
    static func significant(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return String(value) }
        if abs(value) < 0.001 || abs(value) >= 100_000 { return String(format: "%.2e", value) }
        let digits = max(0, 2 - Int(log10(abs(value)).rounded(.down)))
        return String(format: "%.\(digits)f", value)
    }

    /// A speed ratio as "7.5x slower" or "3.2e+07x faster" ("1.00x" for the same speed).
    static func relative(_ speed: Double) -> String {
        if abs(speed - 1) < 0.005 { return "1.00x" }
        return speed > 1 ? "\(significant(speed))x faster" : "\(significant(1 / speed))x slower"
    }

    /// An integer with thousands separators: 2,000,000,000.
    static func grouped(_ value: UInt64) -> String {
        var digits = Array(String(value))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }
}

extension String {
    /// The string without trailing spaces.
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
