import Glibc
import Posix
import Timeline

extension Command {
    /// `ringside tail`: a key's accepted writes as they happen (DESIGN contract 3).
    static let tail = Command(
        name: "tail",
        summary: "print a key's accepted writes on a running server as they happen",
        help: """
            USAGE: ringside tail [--name NAME | --tcp HOST:PORT] KEY

            Follows KEY on a running server: prints one line per write the server accepts
            from now on (what changed the set; an ignored write prints nothing), in the order
            applied, as an op-script line: 'insert KEY SCORE MEMBER' or 'delete KEY SCORE
            MEMBER'. Runs until interrupted (Ctrl-C), the server stops (exit 0 when it
            completes the tail, 1 when it goes away), or the server cuts the tail off because
            it fell too far behind (exit 1).

            \(ClientOptions.helpSection())
            """
    ) { arguments in
        var arguments = Arguments(arguments)
        let options = try ClientOptions(&arguments)
        let positionals = try arguments.positionals(exactly: 1, "one KEY")
        try options.withClient { client in
            let tail = try client.tail(key: positionals[0].utf8)
            // Written at once, line by line, for whoever reads a pipe.
            while let event = try tail.next() {
                var line = event.description + "\n"
                line.withUTF8 { try? Sys.writeFully(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }
            }
        }
        return 0
    }
}
