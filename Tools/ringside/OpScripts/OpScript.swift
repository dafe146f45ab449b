import LWWSet

/// One line of an op script (DESIGN contract 1), parsed. Keys and members are the raw
/// bytes of their tokens; tokens are separated by spaces or tabs.
///
///     insert KEY SCORE MEMBER
///     delete KEY SCORE MEMBER
///     select KEY OFFSET LIMIT
///     range KEY LIMIT START_SCORE START_MEMBER STOP_SCORE STOP_MEMBER   (`_`: empty member)
///     # maxsize N                                                      (the bound from here on)
///     # anything else, or a blank line                                 (ignored)
enum OpScriptLine: Equatable {
    /// An insert or a delete.
    case write(WriteKind, key: ArraySlice<UInt8>, score: Double, member: ArraySlice<UInt8>)
    /// An offset/limit select.
    case select(key: ArraySlice<UInt8>, offset: Int, limit: Int)
    /// A cursor select.
    case range(key: ArraySlice<UInt8>, limit: Int, start: Cursor, stop: Cursor)
    /// The `# maxsize N` pragma.
    case maxSize(Int)
    /// A comment or a blank line.
    case nothing

    /// The largest bound a script may set.
    static let maximumMaxSize = 1_000_000_000

    /// Parses the tokens of one line; throws a reason (without the line number) when the
    /// line is malformed.
    static func parse(_ tokens: [ArraySlice<UInt8>]) throws(OpScriptError.Reason) -> OpScriptLine {
        guard let first = tokens.first else { return .nothing }
        if first.first == UInt8(ascii: "#") {
            guard tokens.count >= 2, first.count == 1, text(tokens[1]) == "maxsize" else { return .nothing }
            guard tokens.count == 3 else { throw .arguments("# maxsize", expected: "N") }
            let bound = try integer(tokens[2], "max size")
            guard bound >= 1 && bound <= maximumMaxSize else {
                throw .invalid("max size \(bound) is outside 1...\(maximumMaxSize)")
            }
            return .maxSize(bound)
        }
        switch text(first) {
        case "insert", "delete":
            guard tokens.count == 4 else { throw .arguments(text(first), expected: "KEY SCORE MEMBER") }
            let kind: WriteKind = text(first) == "insert" ? .insert : .delete
            return .write(kind, key: tokens[1], score: try score(tokens[2]), member: tokens[3])
        case "select":
            guard tokens.count == 4 else { throw .arguments("select", expected: "KEY OFFSET LIMIT") }
            return .select(key: tokens[1], offset: try count(tokens[2], "offset"), limit: try count(tokens[3], "limit"))
        case "range":
            guard tokens.count == 7 else {
                throw .arguments("range", expected: "KEY LIMIT START_SCORE START_MEMBER STOP_SCORE STOP_MEMBER")
            }
            return .range(
                key: tokens[1], limit: try count(tokens[2], "limit"),
                start: Cursor(score: try score(tokens[3]), member: cursorMember(tokens[4])),
                stop: Cursor(score: try score(tokens[5]), member: cursorMember(tokens[6])))
        default:
            throw .invalid("unknown op '\(text(first))' (ops: insert, delete, select, range)")
        }
    }

    private static func text(_ token: ArraySlice<UInt8>) -> String {
        String(decoding: token, as: UTF8.self)
    }

    private static func score(_ token: ArraySlice<UInt8>) throws(OpScriptError.Reason) -> Double {
        do throws(LWWSetError) {
            return try ScoreText.parse(text(token))
        } catch {
            throw .invalid(error.description)
        }
    }

    private static func integer(_ token: ArraySlice<UInt8>, _ name: String) throws(OpScriptError.Reason) -> Int {
        guard let value = Int(text(token)) else { throw .invalid("\(name) '\(text(token))' is not a whole number") }
        return value
    }

    /// An offset or a limit: a whole number, not negative.
    private static func count(_ token: ArraySlice<UInt8>, _ name: String) throws(OpScriptError.Reason) -> Int {
        let value = try integer(token, name)
        guard value >= 0 else { throw .invalid("\(name) \(value) is negative") }
        return value
    }

    /// A cursor's member: `_` stands for the empty member.
    private static func cursorMember(_ token: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        token.elementsEqual([UInt8(ascii: "_")]) ? [] : token
    }
}

/// A malformed op script line: the error names the line.
struct OpScriptError: Error, CustomStringConvertible {
    /// What is wrong with a line.
    enum Reason: Error {
        /// An op with the wrong number of arguments.
        case arguments(String, expected: String)
        /// Anything else, said in words.
        case invalid(String)
    }

    /// The line's number, from 1.
    let line: Int
    let reason: Reason

    var description: String {
        switch reason {
        case .arguments(let op, let expected):
            return "line \(line): \(op) takes \(expected)"
        case .invalid(let text):
            return "line \(line): \(text)"
        }
    }
}
