import Glibc
import Testing

/// A `ring-peer` helper process (built with the tests, found next to the test bundle).
final class RingPeer {
    /// How a peer ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    let pid: pid_t
    /// Set once the peer has been reaped, so that its pid is never signalled afterwards.
    private var ended: Termination?

    private init(pid: pid_t) { self.pid = pid }

    /// The `ring-peer` executable beside the running test bundle.
    static var executable: String {
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &path, path.count - 1)
        precondition(count > 0, "cannot read /proc/self/exe")
        let exe = String(decoding: path[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/ring-peer"
    }

    /// Starts `ring-peer ARGUMENTS...`.
    static func spawn(_ arguments: [String]) throws -> RingPeer {
        let path = executable
        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = (argv + [nil]).withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, path, nil, nil, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
        }
        guard status == 0 else { throw PeerError(description: "posix_spawn \(path): \(String(cString: strerror(status)))") }
        return RingPeer(pid: pid)
    }

    /// Waits for the peer to end and says how.
    @discardableResult
    func wait() -> Termination {
        if let ended { return ended }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return reaped(status)
    }

    /// Whether the peer has ended (reaping it if so); nil while it runs.
    func poll() -> Termination? {
        if let ended { return ended }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return reaped(status)
    }

    private func reaped(_ status: Int32) -> Termination {
        let termination: Termination = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        ended = termination
        return termination
    }

    /// Waits until the peer stops itself (SIGSTOP); false if it ended instead.
    func waitUntilStopped() -> Bool {
        var status: Int32 = 0
        while waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR {}
        return status & 0xff == 0x7f
    }

    /// Kills the peer with SIGKILL and reaps it (nothing once it has been reaped).
    func kill() {
        guard ended == nil else { return }
        _ = Glibc.kill(pid, SIGKILL)
        wait()
    }
}

/// A peer that could not be started.
struct PeerError: Error, CustomStringConvertible {
    let description: String
}
