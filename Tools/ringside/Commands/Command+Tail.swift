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
            MEMBER' (key and member as raw bytes). Runs until SIGINT (Ctrl-C) or SIGTERM,
            which close the connection cleanly (exit 0), until its reader goes away (a closed
            pipe: exit 0), until the server stops (exit 0: a clean stop completes the tail
            once every event is printed; exit 1 when the server dies, or stops with events the
            tail had no credit for yet), or until the server cuts the tail off because it fell
            too far behind (exit 1).

            \(ClientOptions.helpSection())
            """
    ) { arguments in
        var arguments = arguments
        let options = try ClientOptions(&arguments)
        let key = try field(try arguments.positionalBytes(exactly: 1, "one KEY")[0], "KEY")
        // Before the client starts its threads, which inherit the mask: a stop signal waits
        // for the watch below, and a closed pipe is EPIPE for the write below rather than a
        // SIGPIPE that kills the process with its channel left in /dev/shm.
        try SignalWatch.blockStopSignals()
        do throws(SystemCallError) { try Sys.blockSignals([SIGPIPE]) } catch {
            throw RuntimeError("cannot block SIGPIPE: \(error)")
        }
        let client = try options.connect()
        defer { client.close() }
        let watch = SignalWatch { client.close() }
        do {
            let tail = try client.tail(key: key)
            while let event = try tail.next() {
                guard StandardOutput.write(EntryLines.line(event)) else { return 0 }
            }
        } catch let error as TimelineClientError {
            if watch.signal != nil { return 0 }
            throw options.failure(error)
        }
        return 0
    }
}
