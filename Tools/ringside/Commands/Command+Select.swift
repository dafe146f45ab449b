import LWWSet
import Timeline

extension Command {
    /// `ringside select`: a page of a key, one `member:score` per line (DESIGN contract 3).
    static let select = Command(
        name: "select",
        summary: "print a key's members from a running server, highest score first",
        help: """
            USAGE: ringside select [--name NAME | --tcp HOST:PORT] KEY [--offset O] [--limit L]

            Prints at most L members of KEY after skipping O, one 'member:score' per line,
            highest score first (equal scores: members by bytes, highest first). Scores print
            as ringside lww prints them (Go's strconv.FormatFloat(f, 'g', -1, 64): 7, 0.5,
            1e+06). As in Roshi, --offset 0 --limit 0 prints the whole set, and an unknown key
            prints nothing. KEY is sent, and members are printed, as raw bytes (UTF-8 or not).

            \(ClientOptions.helpSection(
                "  --offset O       members to skip (default 0)",
                "  --limit L        members to print at most (default 10)"))
            """
    ) { arguments in
        var arguments = arguments
        let options = try ClientOptions(&arguments)
        let offset = try arguments.integer("--offset", in: 0 ... Int(UInt32.max)) ?? 0
        let limit = try arguments.integer("--limit", in: 0 ... Int(UInt32.max)) ?? 10
        let key = try field(try arguments.positionalBytes(exactly: 1, "one KEY")[0], "KEY")
        let entries = try options.withClient { client in
            try client.select(key: key, offset: offset, limit: limit)
        }
        var text: [UInt8] = []
        for entry in entries { EntryLines.append(entry, to: &text) }
        StandardOutput.write(text)
        return 0
    }
}
