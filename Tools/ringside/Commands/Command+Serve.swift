import Glibc
import Journal
import LWWSet
import Posix
import Timeline
import Transport

extension Command {
    /// `ringside serve`: the timeline server (DESIGN contract 3).
    static let serve = Command(
        name: "serve",
        summary: "run the timeline server over shared memory (and TCP) until SIGINT or SIGTERM",
        help: """
            USAGE: ringside serve [--name NAME] [--tcp HOST:PORT] [--max-size N] [--data-dir DIR]

            Serves timeline requests (insert, delete, select, range, tail; DESIGN contract 2)
            over shared memory under NAME and, with --tcp, over TCP, in the binary
            (application/x.ringside.v1) or JSON (application/json) encoding each client's SETUP
            names. One thread, the single writer, applies every request to a last-writer-wins
            set. When ready it prints one line per listener:

              ringside serve: listening on shm NAME
              ringside serve: listening on tcp HOST:PORT      (the real port when 0 was asked)

            Without --data-dir the set lives in memory only. With it, every accepted write is
            logged there (CRC32C records, one fsync per batch; a request-response write is
            answered once it is on disk), the set is rebuilt from the log at start (a torn last
            record is reported and cut off; a corrupt record in the middle stops the start), and
            the log is compacted by snapshots. The directory is locked: one server at a time.

            SIGINT or SIGTERM stops it cleanly within 2 s: no new connections, what is in flight
            is answered, the log synced, every segment unlinked; exit status 0. Counters are in
            /dev/shm/NAME-stat ('ringside stat').

            OPTIONS:
              --name NAME       shared-memory server name (default ringside; segments /dev/shm/NAME-*)
              --tcp HOST:PORT   also listen on TCP (IPv4 or [IPv6]; port 0 picks a free port)
              --max-size N      entries kept per add set and per remove set (default \(LWWSet.defaultMaxSize))
              --data-dir DIR    log accepted writes in DIR and replay them at start
              -h, --help        show this help
            """
    ) { arguments in
        var arguments = arguments
        let name = try ClientOptions.serverName(try arguments.option("--name"))
        let tcpText = try arguments.option("--tcp")
        // The bound `ringside lww` and op scripts take.
        let maxSize = try arguments.integer("--max-size", in: 1 ... OpScriptLine.maximumMaxSize) ?? LWWSet.defaultMaxSize
        let dataDirectory = try arguments.option("--data-dir")
        try arguments.noPositionals()
        var tcp: TCPAddress?
        if let tcpText {
            do throws(TransportError) { tcp = try TCPAddress(parsing: tcpText) } catch {
                guard case .invalidArgument(let why) = error else { throw UsageError("--tcp '\(tcpText)': \(error)") }
                throw UsageError("--tcp '\(tcpText)': \(why)")
            }
        }
        if dataDirectory?.isEmpty == true { throw UsageError("--data-dir needs a directory") }

        // Blocked before any thread starts, so every thread leaves them to sigwait below.
        try SignalWatch.blockStopSignals()
        let configuration = TimelineServerConfiguration(
            name: name, tcp: tcp, engine: .init(maxSize: maxSize), dataDirectory: dataDirectory)
        let server: TimelineServer
        do throws(TimelineServerError) {
            server = try TimelineServer(configuration: configuration)
        } catch {
            throw RuntimeError(startFailure(error, tcp: tcpText, dataDirectory: dataDirectory))
        }
        if let dataDirectory, let replay = server.replay {
            for torn in replay.tornTails { StandardOutput.writeLine("ringside serve: \(torn); truncated") }
            StandardOutput.writeLine(
                "ringside serve: durable in \(dataDirectory) (replayed \(replay.snapshotRecords + replay.logRecords) records: "
                    + "\(replay.snapshotRecords) from the snapshot, \(replay.logRecords) from the log)")
        } else {
            StandardOutput.writeLine("ringside serve: in memory (no --data-dir): writes are lost at exit")
        }
        if let shm = server.name { StandardOutput.writeLine("ringside serve: listening on shm \(shm)") }
        if let address = server.tcpAddress { StandardOutput.writeLine("ringside serve: listening on tcp \(address)") }

        let signal = try Sys.waitForSignal(SignalWatch.stopSignals)
        do throws(TimelineServerError) {
            try server.stop()
        } catch {
            throw RuntimeError("stopping after \(SignalWatch.name(signal)): \(error)")
        }
        StandardOutput.writeLine("ringside serve: stopped (\(SignalWatch.name(signal)))")
        return 0
    }

    /// Why the server did not start, naming the option at fault: the TCP address that could
    /// not be bound, the data directory that could not be used.
    private static func startFailure(_ error: TimelineServerError, tcp: String?, dataDirectory: String?) -> String {
        switch error {
        case .transport(.system(let failure)) where failure.call == .bind || failure.call == .listen:
            let why = failure.errno == .addressInUse ? "the address is in use (another server listens there?)" : "cannot listen there: \(failure.errno)"
            return "--tcp \(tcp ?? ""): \(why)"
        case .journal(.locked):
            return "\(error) (--data-dir: one server per data directory)"
        case .journal(let journal):
            let text = journal.description
            guard let dataDirectory, !text.hasPrefix(dataDirectory) else { return "--data-dir: \(text)" }
            return "--data-dir \(dataDirectory): \(text)"
        default:
            return error.description
        }
    }
}
