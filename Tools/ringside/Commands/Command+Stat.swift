import Foundation
import Posix
import Timeline
import Transport

extension Command {
    /// `ringside stat`: a running server's counters and connections, read from its stat
    /// segment without disturbing it.
    static let stat = Command(
        name: "stat",
        summary: "show a running server's segments, connections and counters",
        help: """
            USAGE: ringside stat [--name NAME] [--json]

            Reads /dev/shm/NAME-stat, the counters the server NAME keeps in shared memory (as
            AeronStat reads Aeron's CnC file: the server is not disturbed), and prints the
            server's pid, start time and liveness (heartbeat age), its segments, every
            connection (shared memory: client pid, ring lag, heartbeat age; TCP: peer address),
            and the counters: requests by kind, errors, tails, log bytes and fsyncs, set size.
            Says so, with exit status 1, when no server runs under NAME or it died.

            OPTIONS:
              --name NAME   the server's name (default ringside)
              --json        one JSON object instead of text
              -h, --help    show this help
            """
    ) { arguments in
        var arguments = arguments
        let name = try ClientOptions.serverName(try arguments.option("--name"))
        let json = try arguments.flag("--json")
        try arguments.noPositionals()
        let stat: ServerStat
        do throws(StatSegmentReader.Failure) {
            stat = try StatSegmentReader.read(server: name)
        } catch {
            throw RuntimeError(error.description)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            StandardOutput.writeLine(String(decoding: try encoder.encode(stat), as: UTF8.self))
        } else {
            StandardOutput.writeLine(text(stat))
        }
        return 0
    }

    /// The reading as text: a header, the segments, the connections, the counters.
    private static func text(_ stat: ServerStat) -> String {
        let started = Date(timeIntervalSince1970: Double(stat.startTimeNanoseconds) / 1e9)
        var lines = [
            "server \(stat.name): pid \(stat.pid), \(stat.state), started \(started), "
                + "heartbeat \(format(stat.heartbeatAgeMilliseconds)) ms ago, \(stat.durable ? "durable" : "in memory"), layout \(stat.layout)",
            "segments: " + stat.segments.map { "/dev/shm" + $0 }.joined(separator: " "),
            "connections: \(stat.connections.count)",
        ]
        for connection in stat.connections {
            var line = "  \(connection.carrier) #\(connection.connection) \(connection.peer) \(connection.state)"
            if let encoding = connection.encoding { line += " \(encoding)" }
            line += " age \(format(connection.ageSeconds)) s, \(connection.requests) requests"
            if let pid = connection.clientPid { line += ", client pid \(pid)" }
            if let lag = connection.inboundLag { line += ", inbound lag \(lag) B" }
            if let lag = connection.outboundLag { line += ", outbound lag \(lag) B" }
            if let age = connection.clientHeartbeatAgeMilliseconds { line += ", client heartbeat \(format(age)) ms ago" }
            lines.append(line)
        }
        lines.append("counters:")
        for counter in StatCounter.allCases {
            lines.append("  " + counter.name.padding(28) + "\(stat[counter])")
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
