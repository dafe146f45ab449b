/// A small command-line reader: `--flag`, `--option VALUE` or `--option=VALUE`, positionals.
/// Options are taken out as they are asked for; whatever is left must be positional.
struct Arguments {
    private var remaining: [String]

    init(_ arguments: [String]) {
        remaining = arguments
    }

    /// Whether `--help` or `-h` was given.
    var wantsHelp: Bool { remaining.contains("--help") || remaining.contains("-h") }

    /// Removes `name` if present and reports whether it was.
    mutating func flag(_ name: String) -> Bool {
        guard let index = remaining.firstIndex(of: name) else { return false }
        remaining.remove(at: index)
        return true
    }

    /// Removes `name VALUE` (or `name=VALUE`) and returns VALUE, or nil when absent.
    mutating func option(_ name: String) throws -> String? {
        for (index, argument) in remaining.enumerated() {
            if argument == name {
                guard index + 1 < remaining.count else { throw UsageError("\(name) needs a value") }
                let value = remaining[index + 1]
                remaining.removeSubrange(index...(index + 1))
                return value
            }
            if argument.hasPrefix(name + "=") {
                remaining.remove(at: index)
                return String(argument.dropFirst(name.count + 1))
            }
        }
        return nil
    }

    /// An option parsed as an integer within `range`, or nil when absent.
    mutating func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try option(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(name) needs a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// The arguments left, which must be exactly `count` positionals; otherwise a usage error
    /// saying the command takes `what` (`one KEY`, `KEY SCORE MEMBER`).
    mutating func positionals(exactly count: Int, _ what: String) throws -> [String] {
        let positionals = try positionals()
        guard positionals.count == count else { throw UsageError("takes \(what), not \(positionals.count) arguments") }
        return positionals
    }

    /// The arguments left, which must all be positional (a leftover `--x` is an unknown flag).
    /// A lone `-` is positional (standard input); `--` ends the options.
    mutating func positionals() throws -> [String] {
        var result: [String] = []
        var optionsEnded = false
        for argument in remaining {
            if !optionsEnded && argument == "--" { optionsEnded = true; continue }
            if !optionsEnded && argument.hasPrefix("-") && argument != "-" && Double(argument) == nil {
                throw UsageError("unknown flag '\(argument)'")
            }
            result.append(argument)
        }
        remaining = []
        return result
    }
}
