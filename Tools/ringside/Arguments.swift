import Glibc

/// A small command-line reader: `--flag`, `--option VALUE` or `--option=VALUE`, positionals.
/// Options are taken out as they are asked for; whatever is left must be positional. `--`
/// ends the options: every word after it is positional, even one that starts with `-`.
/// Each word keeps the bytes it was given, so a positional that is not valid UTF-8 (a key or
/// member) reaches the server as it was typed.
struct Arguments {
    /// One command-line word: its bytes as given and its text (invalid UTF-8 repaired).
    private struct Word {
        let text: String
        let bytes: [UInt8]
    }

    private var remaining: [Word]

    /// The words `arguments`, as text.
    init(_ arguments: [String]) {
        remaining = arguments.map { Word(text: $0, bytes: Array($0.utf8)) }
    }

    /// The words `arguments`, as bytes.
    init(bytes arguments: [[UInt8]]) {
        remaining = arguments.map { Word(text: String(decoding: $0, as: UTF8.self), bytes: $0) }
    }

    /// This process's command line after its first `count` words, each word's bytes as the
    /// kernel handed them over (`CommandLine.arguments` repairs invalid UTF-8).
    static func commandLine(droppingFirst count: Int) -> Arguments {
        let words = (count ..< Int(CommandLine.argc)).map { index -> [UInt8] in
            guard let word = CommandLine.unsafeArgv[index] else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: word, count: strlen(word)))
        }
        return Arguments(bytes: words)
    }

    /// The words before `--` (the ones that may be options).
    private var optionWords: ArraySlice<Word> {
        remaining.prefix { $0.text != "--" }
    }

    /// The first word left, as text.
    var first: String? { remaining.first?.text }

    /// The words after the first.
    var droppingFirst: Arguments {
        var rest = self
        rest.remaining.removeFirst(min(1, remaining.count))
        return rest
    }

    /// Whether `--help` or `-h` was given (before any `--`).
    var wantsHelp: Bool { optionWords.contains { $0.text == "--help" || $0.text == "-h" } }

    /// Removes `name` if present and reports whether it was.
    mutating func flag(_ name: String) throws -> Bool {
        guard let index = optionWords.firstIndex(where: { $0.text == name }) else { return false }
        remaining.remove(at: index)
        try refuseRepeat(of: name)
        return true
    }

    /// Removes `name VALUE` (or `name=VALUE`) and returns VALUE, or nil when absent.
    mutating func option(_ name: String) throws -> String? {
        guard let index = optionWords.firstIndex(where: { $0.text == name || $0.text.hasPrefix(name + "=") }) else { return nil }
        let value: String
        if remaining[index].text == name {
            guard index + 1 < remaining.count, remaining[index + 1].text != "--" else {
                throw UsageError("\(name) needs a value")
            }
            value = remaining[index + 1].text
            remaining.removeSubrange(index ... index + 1)
        } else {
            value = String(remaining[index].text.dropFirst(name.count + 1))
            remaining.remove(at: index)
        }
        try refuseRepeat(of: name)
        return value
    }

    /// Throws when `name` is still there after being taken once.
    private func refuseRepeat(of name: String) throws {
        if optionWords.contains(where: { $0.text == name || $0.text.hasPrefix(name + "=") }) {
            throw UsageError("\(name) is given more than once")
        }
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
        try positionalBytes(exactly: count, what).map { String(decoding: $0, as: UTF8.self) }
    }

    /// ``positionals(exactly:_:)`` as the bytes given (keys and members).
    mutating func positionalBytes(exactly count: Int, _ what: String) throws -> [[UInt8]] {
        let positionals = try positionalWords()
        guard positionals.count == count else { throw UsageError("takes \(what), not \(positionals.count) arguments") }
        return positionals.map(\.bytes)
    }

    /// The arguments left, which must all be positional (a leftover `--x` is an unknown flag).
    /// A lone `-` is positional (standard input); so is a negative number.
    mutating func positionals() throws -> [String] {
        try positionalWords().map(\.text)
    }

    /// Throws unless no argument is left.
    mutating func noPositionals() throws {
        let positionals = try positionalWords()
        guard positionals.isEmpty else { throw UsageError("takes no positional arguments, not '\(positionals[0].text)'") }
    }

    private mutating func positionalWords() throws -> [Word] {
        var result: [Word] = []
        var optionsEnded = false
        for word in remaining {
            if !optionsEnded && word.text == "--" { optionsEnded = true; continue }
            if !optionsEnded && word.text.hasPrefix("-") && word.text != "-" && Double(word.text) == nil {
                throw UsageError("unknown flag '\(word.text)'")
            }
            result.append(word)
        }
        remaining = []
        return result
    }
}
