import Glibc
import Timeline
import Transport

/// The server of a timeline run: a ``TimelineServer`` (what `ringside serve` runs, on its
/// defaults) in a peer process pinned to its CPU, so that its poll thread, the single
/// writer, and the TCP I/O thread run there. The process's main thread only sleeps until
/// the lab says stop.
enum TimelineServerPeer {
    static let role = "timeline-server"

    /// The arguments after the common four (`shm:NAME binary`): whether to listen on
    /// 127.0.0.1 (a free port), and the data directory (`-` for none).
    static func arguments(tcp: Bool, dataDirectory: String?) -> [String] {
        [tcp ? "tcp" : "shm", dataDirectory ?? "-"]
    }

    /// Peer role: serves until ``TimelineControl/serverStop``, then stops cleanly (answers
    /// what is in flight, syncs the log, unlinks its segments).
    @Sendable
    static func peer(_ arguments: [String]) throws {
        try TimelinePeer.run(arguments) { peer in
            guard case .sharedMemory(let name) = peer.endpoint, peer.arguments.count == 2 else {
                throw LabError("\(role) needs shm:NAME binary tcp|shm DATA_DIR|-")
            }
            let directory = peer.arguments[1] == "-" ? nil : peer.arguments[1]
            let tcp = peer.arguments[0] == "tcp" ? TCPAddress.loopbackIPv4(port: 0) : nil
            let server = try TimelineServer(configuration: TimelineServerConfiguration(name: name, tcp: tcp, dataDirectory: directory))
            peer.control.serverPort.pointee.store(Int64(server.tcpAddress?.port ?? 0), ordering: .relaxed)
            peer.control.serverReady.pointee.store(1, ordering: .releasing)
            defer { try? server.stop() }
            try peer.sleep(until: peer.control.serverStop)
            try server.stop()
        }
    }
}
