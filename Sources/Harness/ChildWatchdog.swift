import Dispatch
import Glibc
import Posix
import Synchronization

/// The registry of running children and the watchdog that kills those whose deadline has
/// passed while nobody waits on them.
///
/// Every reap of a registered child happens under the registry's lock and removes it, and the
/// watchdog signals only registered children under the same lock, so it can never signal a
/// pid that was reaped (and perhaps reused by another process). The watchdog runs on a
/// Dispatch worker while some child is registered, waking every ``tick``, and stops when none is.
enum ChildWatchdog {
    /// What a non-blocking look at a child found.
    enum Look {
        case running
        case stopped
        case ended(ChildProcess.Termination)
    }

    private struct State {
        /// Running (or ended but not yet reaped) children and their deadlines.
        var deadlines: [pid_t: ContinuousClock.Instant] = [:]
        /// Children the watchdog killed at their deadline, not yet reaped.
        var killedAtDeadline: Set<pid_t> = []
        var watching = false
    }

    private static let state = Mutex(State())
    private static let tick = Duration.milliseconds(20)

    /// Runs `spawn` and registers the child it starts, under the lock (so the watchdog sees
    /// the child from its first instant).
    static func spawn(deadline: ContinuousClock.Instant, _ spawn: () throws(SystemCallError) -> pid_t) throws(SystemCallError) -> pid_t {
        let result: Result<(pid: pid_t, startWatching: Bool), SystemCallError> = state.withLock { state in
            do throws(SystemCallError) {
                let pid = try spawn()
                state.deadlines[pid] = deadline
                let start = !state.watching
                state.watching = true
                return .success((pid, start))
            } catch {
                return .failure(error)
            }
        }
        let (pid, startWatching) = try result.get()
        if startWatching { DispatchQueue.global().async { watch() } }
        return pid
    }

    /// Reaps `pid` if it has ended (without blocking), unregistering it.
    static func reap(_ pid: pid_t, options: Int32) -> ChildProcess.Termination? {
        guard case .ended(let termination) = look(pid, options: options) else { return nil }
        return termination
    }

    /// Reaps `pid` if it has ended, or says whether it has stopped (without blocking).
    static func reapOrStop(_ pid: pid_t) -> Look {
        look(pid, options: WUNTRACED)
    }

    /// Unregisters `pid`, kills it with SIGKILL and reaps it (blocking until it has gone:
    /// SIGKILL cannot be caught, so that is at once).
    static func killAndReap(_ pid: pid_t) -> ChildProcess.Termination {
        let killedEarlier = state.withLock { state in
            state.deadlines[pid] = nil
            return state.killedAtDeadline.remove(pid) != nil
        }
        try? Sys.kill(pid, SIGKILL)
        while true {
            do throws(SystemCallError) {
                guard let status = try Sys.waitpid(pid), let ended = ProcessTermination(waitStatus: status) else { continue }
                return killedEarlier ? .killedAtDeadline : ChildProcess.Termination(ended)
            } catch {
                return .signalled(SIGKILL)  // ECHILD: already reaped (by a SIGCHLD handler the program installed)
            }
        }
    }

    private static func look(_ pid: pid_t, options: Int32) -> Look {
        state.withLock { state in
            let status: Int32
            do throws(SystemCallError) {
                guard let reported = try Sys.waitpid(pid, options: options | WNOHANG) else { return .running }
                status = reported
            } catch {
                state.deadlines[pid] = nil
                return .ended(.signalled(SIGKILL))  // ECHILD: reaped by someone else
            }
            guard let ended = ProcessTermination(waitStatus: status) else { return .stopped }
            state.deadlines[pid] = nil
            return .ended(state.killedAtDeadline.remove(pid) != nil ? .killedAtDeadline : ChildProcess.Termination(ended))
        }
    }

    /// The watchdog loop: kills children past their deadline; ends when none is registered.
    private static func watch() {
        while true {
            let keepWatching = state.withLock { state in
                let now = ContinuousClock.now
                for (pid, deadline) in state.deadlines where deadline <= now && !state.killedAtDeadline.contains(pid) {
                    try? Sys.kill(pid, SIGKILL)
                    state.killedAtDeadline.insert(pid)
                }
                if state.deadlines.isEmpty { state.watching = false }
                return state.watching
            }
            guard keepWatching else { return }
            try? Sys.sleep(for: tick)
        }
    }
}
