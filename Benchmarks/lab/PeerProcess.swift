import Foundation
import Glibc

/// A child process running this same lab executable in a peer role
/// (`lab __peer ROLE ARGS...`), for cases that need two real processes.
struct PeerProcess {
    /// The argument that marks a peer invocation.
    static let marker = "__peer"

    let pid: pid_t
    let role: String

    /// Starts `role` with `arguments` in a new process of this executable.
    static func spawn(role: String, arguments: [String]) throws -> PeerProcess {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let argv = [executable, marker, role] + arguments
        var pid: pid_t = 0
        let cStrings = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = (cStrings + [nil]).withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, executable, nil, nil, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
        }
        guard status == 0 else {
            throw LabError("cannot start peer '\(role)': \(String(cString: strerror(status)))")
        }
        return PeerProcess(pid: pid, role: role)
    }

    /// Waits for the peer to exit; throws unless it exited with status 0.
    func wait() throws {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw LabError("waitpid(\(pid)): \(String(cString: strerror(errno)))") }
        }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw LabError("peer '\(role)' (pid \(pid)) failed: " + (exited ? "exit status \(code)" : "signal \(status & 0x7f)"))
        }
    }

    /// Sends SIGKILL and reaps the peer (used when a case is abandoned).
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}

/// A failure of the lab itself (bad arguments, a peer that failed), shown as one line.
struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
