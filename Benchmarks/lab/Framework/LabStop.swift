import Foundation
import Glibc
import Posix
import Synchronization

/// What the lab does on SIGINT (Ctrl-C) or SIGTERM: rather than die with its peers running and
/// its segments in /dev/shm, it kills its child processes (peers, redis-server), removes every
/// shared-memory segment and data folder this run made (their names carry the lab's pid), says
/// so, and exits with 128 + the signal's number. The signals are blocked before any thread
/// starts; one thread waits for them.
enum LabStop {
    /// Set once a stop signal came, before the children are killed.
    private static let stopping = Atomic<Bool>(false)

    /// Blocks SIGINT and SIGTERM and starts the thread that waits for them. Call it first,
    /// before the lab starts any thread or process.
    static func install() throws {
        let signals = [SIGINT, SIGTERM]
        try Sys.blockSignals(signals)
        // A thread of its own: blocked in sigwait for the whole run, it must not hold one of
        // Dispatch's pool workers (as many as the cores).
        Thread.detachNewThread {
            guard let signal = try? Sys.waitForSignal(signals) else { return }
            stopping.store(true, ordering: .releasing)
            let children = killChildren()
            let removed = removeLeftovers()
            Console.error(
                "stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM"): killed \(children) child process\(children == 1 ? "" : "es"), "
                    + "removed \(removed) segment\(removed == 1 ? "" : "s") or folder\(removed == 1 ? "" : "s") of this run; "
                    + "results of finished suites are in place, the rest not written")
            exit(128 + signal)
        }
    }

    /// Where the main thread would carry on after a failure: once a stop signal came it waits
    /// here for the stopping thread to end the process, so that a peer killed by the stop
    /// does not read as a failed suite.
    static func holdIfStopping() {
        while stopping.load(ordering: .acquiring) { try? Sys.sleep(for: .seconds(1)) }
    }

    /// Sends SIGKILL to every process whose parent is this one (read from /proc); how many.
    private static func killChildren() -> Int {
        let me = getpid()
        var killed = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { continue }
            // `pid (comm) state ppid ...`: the command may hold spaces and parentheses, so
            // read after its last ')'.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, pid_t(fields[1]) == me else { continue }
            if (try? Sys.kill(pid, SIGKILL)) != nil { killed += 1 }
        }
        return killed
    }

    /// Removes the segments under /dev/shm and the folders under the temporary directory whose
    /// names hold this process's pid the way the suites name them (`ringside-lab-PID-N`,
    /// `ringside-lab-tl-PID-N`, `ringside-lab-tls-PID-N-...`, `ringside-lab-timeline-PID-N`);
    /// how many.
    private static func removeLeftovers() -> Int {
        let pid = getpid()
        let prefixes = ["ringside-lab-\(pid)-", "ringside-lab-tl-\(pid)-", "ringside-lab-tls-\(pid)-", "ringside-lab-timeline-\(pid)-"]
        var removed = 0
        for prefix in prefixes {
            for segment in (try? Sys.sharedMemoryNames(withPrefix: prefix)) ?? [] where (try? Sys.unlink(Sys.sharedMemoryDirectory + segment)) != nil {
                removed += 1
            }
        }
        let temporary = FileManager.default.temporaryDirectory.path
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        where prefixes.contains(where: { entry.hasPrefix($0) }) && (try? FileManager.default.removeItem(atPath: temporary + "/" + entry)) != nil {
            removed += 1
        }
        return removed
    }
}
