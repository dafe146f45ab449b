import CRingside
import Glibc

extension SystemCall {
    /// `posix_spawn`.
    public static let posixSpawn = SystemCall("posix_spawn")
    /// `waitpid`.
    public static let waitpid = SystemCall("waitpid")
    /// `kill`.
    public static let kill = SystemCall("kill")
    /// `pipe2`.
    public static let pipe = SystemCall("pipe2")
    /// `nanosleep`.
    public static let nanosleep = SystemCall("nanosleep")
}

/// How a child process ended, decoded from a `waitpid(2)` status.
public enum ProcessTermination: Sendable, Hashable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    /// Decodes a status that `waitpid` reported for a child that ended; nil for a stopped or
    /// continued child.
    public init?(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else if signal != 0x7f && status != 0xffff {
            self = .signalled(signal)
        } else {
            return nil
        }
    }

    /// `exit status 3`, `signal 9`.
    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "signal \(signal)"
        }
    }
}

/// What a child's standard output or error is connected to.
public enum SpawnedOutput: Sendable, Equatable {
    /// The parent's own descriptor.
    case inherit
    /// `/dev/null`.
    case discard
    /// The given descriptor of the parent (a pipe's write end, a file).
    case descriptor(Int32)
}

extension Sys {
    /// `posix_spawn(3)` of `path` with `arguments` (argv[0] included) and `environment`
    /// (`NAME=value` entries), its standard output and error connected as given, no signal
    /// blocked and every signal at its default action: the child's pid. The C library reports a failure as a return value, not `errno`; it is thrown typed
    /// all the same.
    public static func spawn(
        _ path: String, arguments: [String], environment: [String],
        standardOutput: SpawnedOutput = .inherit, standardError: SpawnedOutput = .inherit
    ) throws(SystemCallError) -> pid_t {
        if FailureInjection.isArmed, let injected = FailureInjection.take(.posixSpawn) {
            throw SystemCallError(.posixSpawn, injected)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (output, target) in [(standardOutput, STDOUT_FILENO), (standardError, STDERR_FILENO)] {
            switch output {
            case .inherit: break
            case .discard: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        let argv = arguments.map { strdup($0) }
        let envp = environment.map { strdup($0) }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child starts with no signal blocked and every signal at its default action,
        // whatever this process blocks or ignores.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = (argv + [nil]).withUnsafeBufferPointer { argv in
            (envp + [nil]).withUnsafeBufferPointer { envp in
                posix_spawn(&pid, path, &actions, &attributes,
                            UnsafeMutablePointer(mutating: argv.baseAddress!), UnsafeMutablePointer(mutating: envp.baseAddress!))
            }
        }
        guard status == 0 else { throw SystemCallError(.posixSpawn, Errno(rawValue: status)) }
        return pid
    }

    /// `waitpid(2)` for `pid` with `options` (`WNOHANG`, `WUNTRACED`): the raw status, or nil
    /// when `WNOHANG` found the child still running.
    public static func waitpid(_ pid: pid_t, options: Int32 = 0) throws(SystemCallError) -> Int32? {
        var status: Int32 = 0
        let reaped = try SystemCall.waitpid.run { Glibc.waitpid(pid, &status, options) }
        return reaped == 0 ? nil : status
    }

    /// `kill(2)`: sends `signal` to `pid`.
    public static func kill(_ pid: pid_t, _ signal: Int32) throws(SystemCallError) {
        _ = try SystemCall.kill.run { Glibc.kill(pid, signal) }
    }

    /// `pipe2(2)` with `O_CLOEXEC`: the read end and the write end.
    public static func pipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        _ = try SystemCall.pipe.run { ringside_pipe_cloexec(&ends) }
        return (ends[0], ends[1])
    }

    /// Sleeps the calling thread for `duration` (`nanosleep(2)`, resumed for the time left
    /// when a signal interrupts it).
    public static func sleep(for duration: Duration) throws(SystemCallError) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(max(0, seconds)), tv_nsec: Int(max(0, attoseconds / 1_000_000_000)))
        var remaining = timespec()
        _ = try SystemCall.nanosleep.run {
            let result = Glibc.nanosleep(&request, &remaining)
            request = remaining
            return result
        }
    }
}
