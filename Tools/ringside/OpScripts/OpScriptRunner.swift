import LWWSet

/// Runs an op script against an in-process `LWWSet` and writes one line per select or
/// range (DESIGN contract 1): the op's own tokens joined by one space, ` =>`, then
/// ` member:score` per result, highest first; `=>` alone for no result.
struct OpScriptRunner {
    private var set: LWWSet
    private var selection = Selection(reservingEntries: 64, memberBytes: 4096)
    /// Output not yet handed to `emit`.
    private var output: [UInt8] = []
    /// Receives output in chunks, in order.
    private let emit: ([UInt8]) -> Void

    /// A runner over an empty set bounded by `maxSize`, writing through `emit`.
    init(maxSize: Int, emit: @escaping ([UInt8]) -> Void) throws(LWWSetError) {
        set = try LWWSet(maxSize: maxSize)
        self.emit = emit
    }

    /// Runs every line of `script`. Throws `OpScriptError` at the first malformed line,
    /// after emitting the output of the lines before it.
    mutating func run(_ script: [UInt8]) throws(OpScriptError) {
        defer { flush() }
        var number = 0
        for line in script.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            let tokens = text.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            do throws(OpScriptError.Reason) {
                try apply(OpScriptLine.parse(tokens), tokens: tokens)
            } catch {
                throw OpScriptError(line: number, reason: error)
            }
            if output.count >= 1 << 16 { flush() }
        }
    }

    private mutating func apply(_ line: OpScriptLine, tokens: [ArraySlice<UInt8>]) throws(OpScriptError.Reason) {
        do throws(LWWSetError) {
            switch line {
            case .write(let kind, let key, let score, let member):
                try set.write(kind, key: key, score: score, member: member)
            case .select(let key, let offset, let limit):
                try set.select(key: key, offset: offset, limit: limit, into: &selection)
                appendResultLine(tokens)
            case .range(let key, let limit, let start, let stop):
                try set.select(key: key, after: start, before: stop, limit: limit, into: &selection)
                appendResultLine(tokens)
            case .maxSize(let bound):
                try set.setMaxSize(bound)
            case .nothing:
                break
            }
        } catch {
            throw .invalid(error.description)
        }
    }

    /// Appends the echo of `tokens` and the current selection as one line.
    private mutating func appendResultLine(_ tokens: [ArraySlice<UInt8>]) {
        for (index, token) in tokens.enumerated() {
            if index > 0 { output.append(UInt8(ascii: " ")) }
            output.append(contentsOf: token)
        }
        output.append(contentsOf: " =>".utf8)
        for entry in selection {
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: entry.member)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: ScoreText.format(entry.score).utf8)
        }
        output.append(UInt8(ascii: "\n"))
    }

    private mutating func flush() {
        guard !output.isEmpty else { return }
        emit(output)
        output.removeAll(keepingCapacity: true)
    }
}
