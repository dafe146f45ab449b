import Glibc
import Posix

/// A helper process that a test or the lab starts (`posix_spawn`) and that never outlives
/// its owner or its deadline: when the deadline passes it is killed with SIGKILL (by the
/// ``wait(deadline:)`` that sees it pass, or by a watchdog thread while nobody waits), and
/// when the owner drops it before it ended it is killed with SIGKILL and reaped.
///
/// ```swift
/// let peer = try ChildProcess(ChildProcess.executable(named: "ring-peer"), arguments: ["produce", name])
/// defer { peer.kill() }
/// #expect(peer.wait() == .exited(0))
/// ```
///
/// One owner at a time: not `Sendable`.
public final class ChildProcess {
    /// How a child ended.
    public enum Termination: Sendable, Hashable, CustomStringConvertible {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)
        /// Its deadline passed, so it was killed with SIGKILL.
        case killedAtDeadline

        init(_ termination: ProcessTermination) {
            switch termination {
            case .exited(let code): self = .exited(code)
            case .signalled(let signal): self = .signalled(signal)
            }
        }

        /// `exit status 3`, `signal 9`, `killed at its deadline`.
        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signalled(let signal): "signal \(signal)"
            case .killedAtDeadline: "killed at its deadline"
            }
        }
    }

    /// Where a child's standard output or error goes.
    public enum Output: Sendable, Equatable {
        /// The parent's own.
        case inherit
        /// `/dev/null`.
        case discard
        /// A pipe whose read end the parent keeps (``readStandardOutput()``,
        /// ``readStandardError()``).
        case pipe
    }

    /// The child's process id (never signalled by this object once reaped).
    public let pid: pid_t
    /// When the child is killed if it has not ended by itself.
    public let deadline: ContinuousClock.Instant
    /// What the child's command line was (for messages).
    public let arguments: [String]
    /// Read ends of the pipes asked for, closed when this object goes.
    private var standardOutputPipe: Int32?
    private var standardErrorPipe: Int32?
    /// Set once the child has been reaped.
    private var ended: Termination?

    /// Starts `executable` with `arguments` (argv[0] is the executable's path), this process's
    /// environment plus `environment` (an entry there replaces one of the same name), its
    /// standard output and error as asked, and a deadline `timeLimit` from now.
    public init(
        _ executable: String, arguments: [String] = [], environment: [String: String] = [:],
        standardOutput: Output = .inherit, standardError: Output = .inherit,
        timeLimit: Duration = .seconds(120)
    ) throws(SystemCallError) {
        var outputPipe: (read: Int32, write: Int32)?
        var errorPipe: (read: Int32, write: Int32)?
        do throws(SystemCallError) {
            if standardOutput == .pipe { outputPipe = try Sys.pipe() }
            if standardError == .pipe { errorPipe = try Sys.pipe() }
            func spawned(_ output: Output, _ pipe: (read: Int32, write: Int32)?) -> SpawnedOutput {
                switch output {
                case .inherit: .inherit
                case .discard: .discard
                case .pipe: .descriptor(pipe!.write)
                }
            }
            deadline = ContinuousClock.now.advanced(by: timeLimit)
            self.arguments = [executable] + arguments
            pid = try ChildWatchdog.spawn(deadline: deadline) { () throws(SystemCallError) in
                try Sys.spawn(
                    executable, arguments: [executable] + arguments, environment: Self.environment(adding: environment),
                    standardOutput: spawned(standardOutput, outputPipe), standardError: spawned(standardError, errorPipe))
            }
        } catch {
            for end in [outputPipe?.read, outputPipe?.write, errorPipe?.read, errorPipe?.write] {
                if let end { try? Sys.close(end) }
            }
            throw error
        }
        if let outputPipe { try? Sys.close(outputPipe.write) }
        if let errorPipe { try? Sys.close(errorPipe.write) }
        standardOutputPipe = outputPipe?.read
        standardErrorPipe = errorPipe?.read
    }

    deinit {
        kill()
        for end in [standardOutputPipe, standardErrorPipe] {
            if let end { try? Sys.close(end) }
        }
    }

    /// Waits until the child ends, or until `deadline` (at the latest the child's own
    /// ``deadline``) passes, when it is killed with SIGKILL, reaped, and reported as
    /// ``Termination/killedAtDeadline``.
    @discardableResult
    public func wait(deadline: ContinuousClock.Instant? = nil) -> Termination {
        let limit = min(deadline ?? self.deadline, self.deadline)
        var pause = Self.firstPause
        while true {
            if let ended = poll() { return ended }
            if ContinuousClock.now >= limit {
                kill()
                ended = .killedAtDeadline
                return .killedAtDeadline
            }
            Self.sleep(&pause)
        }
    }

    /// How the child ended (reaping it if it just did); nil while it runs.
    public func poll() -> Termination? {
        if let ended { return ended }
        ended = ChildWatchdog.reap(pid, options: 0)
        return ended
    }

    /// Waits until the child stops itself (SIGSTOP): true; false if it ended instead or
    /// `deadline` (at the latest the child's own) passed, when it is killed and reaped.
    public func waitUntilStopped(deadline: ContinuousClock.Instant? = nil) -> Bool {
        let limit = min(deadline ?? self.deadline, self.deadline)
        var pause = Self.firstPause
        while ended == nil {
            switch ChildWatchdog.reapOrStop(pid) {
            case .stopped: return true
            case .ended(let termination):
                ended = termination
                return false
            case .running:
                if ContinuousClock.now >= limit {
                    kill()
                    ended = .killedAtDeadline
                    return false
                }
                Self.sleep(&pause)
            }
        }
        return false
    }

    /// Sends `signal` to the child (nothing once it has been reaped). SIGKILL, the default,
    /// also reaps it: afterwards ``wait(deadline:)`` returns at once.
    public func kill(_ signal: Int32 = SIGKILL) {
        guard ended == nil else { return }
        if signal == SIGKILL {
            ended = ChildWatchdog.killAndReap(pid)
        } else {
            try? Sys.kill(pid, signal)
        }
    }

    /// Everything the child writes to its standard output until it closes it (asked for
    /// with ``Output/pipe``; empty otherwise).
    public func readStandardOutput() throws(SystemCallError) -> [UInt8] {
        try Self.readToEnd(standardOutputPipe)
    }

    /// Everything the child writes to its standard error until it closes it (asked for with
    /// ``Output/pipe``; empty otherwise).
    public func readStandardError() throws(SystemCallError) -> [UInt8] {
        try Self.readToEnd(standardErrorPipe)
    }

    private static func readToEnd(_ descriptor: Int32?) throws(SystemCallError) -> [UInt8] {
        guard let descriptor else { return [] }
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count = try Sys.read(descriptor, into: chunk)
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// This process's environment with `additions` replacing or adding entries.
    private static func environment(adding additions: [String: String]) -> [String] {
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            let name = text.prefix { $0 != "=" }
            if additions[String(name)] == nil { entries.append(text) }
            pointer += 1
        }
        return entries + additions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// Polling a child backs off from this pause to ``longestPause``.
    private static let firstPause = Duration.microseconds(50)
    private static let longestPause = Duration.milliseconds(5)

    private static func sleep(_ pause: inout Duration) {
        try? Sys.sleep(for: pause)
        pause = min(pause * 2, longestPause)
    }
}
