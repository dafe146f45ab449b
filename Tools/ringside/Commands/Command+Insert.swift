import LWWSet
import Timeline

extension Command {
    /// `ringside insert`: one acknowledged insert (DESIGN contract 3).
    static let insert = write(.insert)

    /// `ringside insert` or `ringside delete`: `KEY SCORE MEMBER`, acknowledged, so a select
    /// right after it sees it.
    static func write(_ kind: WriteKind) -> Command {
        let name = kind == .insert ? "insert" : "delete"
        let effect = kind == .insert
            ? "Inserts MEMBER with SCORE under KEY on a running server (ringside serve),"
            : "Deletes MEMBER with SCORE under KEY on a running server (ringside serve): a\ntombstone that hides inserts of MEMBER at lower or equal scores. It goes"
        return Command(
            name: name,
            summary: kind == .insert ? "insert KEY SCORE MEMBER into a running server" : "delete KEY SCORE MEMBER on a running server",
            help: """
                USAGE: ringside \(name) [--name NAME | --tcp HOST:PORT] KEY SCORE MEMBER

                \(effect) by
                request-response: it returns once the server has applied the write (and, with
                --data-dir, made it durable), so a select right after it sees its effect. SCORE
                is read as Go's strconv.ParseFloat reads it (decimal or hex; inf and NaN are
                refused: scores are finite). KEY and MEMBER are sent as the bytes given (UTF-8
                or not), at most \(maxFieldBytes) bytes each; '--' before them lets one start
                with '-'.

                \(ClientOptions.helpSection())
                """
        ) { arguments in
            var arguments = arguments
            let options = try ClientOptions(&arguments)
            let positionals = try arguments.positionalBytes(exactly: 3, "KEY SCORE MEMBER")
            let key = try field(positionals[0], "KEY")
            let score = try parseScore(String(decoding: positionals[1], as: UTF8.self))
            let member = try field(positionals[2], "MEMBER")
            try options.withClient { client in
                try client.write(kind, key: key, score: score, member: member)
            }
            return 0
        }
    }

    /// The most bytes a key or member holds (the binary layout's u16 lengths).
    static let maxFieldBytes = Int(UInt16.max)

    /// A key or member from the command line, checked against ``maxFieldBytes``.
    static func field(_ bytes: [UInt8], _ what: String) throws -> [UInt8] {
        guard bytes.count <= maxFieldBytes else {
            throw UsageError("\(what) is \(bytes.count) bytes; at most \(maxFieldBytes) fit a request")
        }
        return bytes
    }

    /// A command-line score: Go's ParseFloat syntax, finite.
    static func parseScore(_ text: String) throws -> Double {
        let score: Double
        do throws(LWWSetError) {
            score = try ScoreText.parse(text)
        } catch {
            // The set's reason names the score itself ("score 'abc' is not a number").
            throw UsageError("SCORE: \(error)")
        }
        guard score.isFinite else { throw UsageError("SCORE '\(text)': scores are finite numbers") }
        return score
    }
}
