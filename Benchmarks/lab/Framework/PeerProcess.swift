import Harness
import LabKit

/// Child processes running this same lab executable in a peer role
/// (`lab __peer ROLE ARGS...`), for cases that need two real processes.
enum PeerProcess {
    /// The argument that marks a peer invocation.
    static let marker = "__peer"
    /// A peer still running this long after its start is killed (no case takes a tenth of it).
    static let timeLimit = Duration.seconds(600)

    /// Starts `role` with `arguments` in a new process of this executable.
    static func spawn(role: String, arguments: [String]) throws -> ChildProcess {
        do {
            return try ChildProcess(ChildProcess.currentExecutable(), arguments: [marker, role] + arguments, timeLimit: timeLimit)
        } catch {
            throw LabError("cannot start peer '\(role)': \(error)")
        }
    }
}

extension ChildProcess {
    /// The peer role this process runs (its argument after ``PeerProcess/marker``).
    var role: String { arguments.count > 2 ? arguments[2] : arguments.joined(separator: " ") }

    /// Throws unless the peer ended with exit status 0.
    func expectSuccess(_ termination: Termination) throws {
        guard termination == .exited(0) else { throw LabError("peer '\(role)' (pid \(pid)) failed: \(termination)") }
    }

    /// Waits for the peer to exit; throws unless it exited with status 0.
    func waitForSuccess() throws {
        try expectSuccess(wait())
    }
}
