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
            ? "Inserts MEMBER with SCORE under KEY"
            : "Deletes MEMBER with SCORE under KEY (a tombstone: it hides inserts of MEMBER at lower or equal scores)"
        return Command(
            name: name,
            summary: kind == .insert ? "insert KEY SCORE MEMBER into a running server" : "delete KEY SCORE MEMBER on a running server",
            help: """
                USAGE: ringside \(name) [--name NAME | --tcp HOST:PORT] KEY SCORE MEMBER

                \(effect) on a running server (ringside serve), by request-response: it
                returns once the server has applied the write (and, with --data-dir, made it
                durable), so a select right after it sees its effect. SCORE is read as Go's
                strconv.ParseFloat reads it (decimal, hex, inf is refused: scores are finite).

                \(ClientOptions.helpSection())
                """
        ) { arguments in
            var arguments = Arguments(arguments)
            let options = try ClientOptions(&arguments)
            let positionals = try arguments.positionals(exactly: 3, "KEY SCORE MEMBER")
            let score = try parseScore(positionals[1])
            try options.withClient { client in
                try client.write(kind, key: positionals[0].utf8, score: score, member: positionals[2].utf8)
            }
            return 0
        }
    }

    /// A command-line score: Go's ParseFloat syntax, finite.
    static func parseScore(_ text: String) throws -> Double {
        let score: Double
        do throws(LWWSetError) {
            score = try ScoreText.parse(text)
        } catch {
            throw UsageError("SCORE '\(text)': \(error)")
        }
        guard score.isFinite else { throw UsageError("SCORE '\(text)': a finite number") }
        return score
    }
}
