import Glibc
import Harness
import Posix

/// A `redis-server` of the lab's own: started on a free loopback port with nothing saved
/// (`--save '' --appendonly no`), stopped (`SHUTDOWN NOSAVE`, then signals) when ``stop()``
/// is called or the object goes. It runs under a small `sh` that stops it when the lab
/// process is gone (checked every 0.2 s), so an interrupted lab leaves no server behind.
package final class RedisServer {
    /// The loopback port it listens on.
    package let port: UInt16
    private let process: ChildProcess

    /// The `redis-server` on PATH, or nil when it is not installed.
    package static func executable() -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = "\(folder)/redis-server"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// What to tell a user without it.
    package static let installHint = "redis-server is not installed: apt-get install redis-server"

    /// Starts `executable` on a free port and waits (up to 10 s) until it answers PING.
    package init(executable: String, timeLimit: Duration = .seconds(900)) throws {
        port = try Self.freePort()
        process = try ChildProcess(
            "/bin/sh",
            arguments: ["-c", Self.tiedToParent, "redis-server", executable,
                        "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"],
            standardOutput: .discard, standardError: .discard, timeLimit: timeLimit)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while true {
            if let ended = process.poll() { throw LabError("redis-server on port \(port) ended at start: \(ended)") }
            if let client = try? RESPClient(loopbackPort: port), (try? client.call("PING")) == .simple("PONG") { return }
            guard ContinuousClock.now < deadline else {
                process.kill()
                throw LabError("redis-server on port \(port) did not answer PING within 10 s")
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
            nanosleep(&pause, nil)
        }
    }

    deinit {
        stop()
    }

    /// The `sh` script that runs `$1` with the other arguments and stops it (SIGTERM) once
    /// the shell's parent, the lab, has gone, once the shell is told to stop (SIGTERM), or
    /// once the server has ended by itself.
    private static let tiedToParent = """
        "$@" & server=$!
        trap 'kill $server 2>/dev/null' TERM
        while kill -0 $PPID 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.2; done
        kill $server 2>/dev/null
        wait $server
        """

    /// A new connection to the server.
    package func connect() throws -> RESPClient {
        try RESPClient(loopbackPort: port)
    }

    /// Asks the server to shut down without saving; if it has not ended a second later, tells
    /// its shell to stop it (SIGTERM), and a second after that kills the shell (it is reaped
    /// either way).
    package func stop() {
        guard process.poll() == nil else { return }
        if let client = try? connect() { try? client.send([Array("SHUTDOWN".utf8), Array("NOSAVE".utf8)]) }
        process.wait(deadline: ContinuousClock.now.advanced(by: .seconds(1)))
        guard process.poll() == nil else { return }
        process.kill(SIGTERM)
        process.wait(deadline: ContinuousClock.now.advanced(by: .seconds(1)))
        process.kill()
    }

    /// A loopback port free right now (bound to port 0, read back, released).
    private static func freePort() throws -> UInt16 {
        let socket = try Sys.socket(AF_INET, Int32(SOCK_STREAM.rawValue))
        defer { try? Sys.close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                try Sys.bind(socket, socketAddress, length)
                try Sys.getsockname(socket, socketAddress, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
