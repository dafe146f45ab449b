import Foundation
import Glibc
import Posix
import Synchronization

/// How the long-running commands stop cleanly on SIGINT or SIGTERM instead of dying with
/// their shared-memory segments still in /dev/shm: the signals are blocked before any thread
/// starts (every thread started later inherits the mask); `serve` then waits for them on its
/// main thread, while a client command (`tail`, `load`, a load producer) has a watch, a thread
/// that waits for them with `sigwait` and runs the command's stop action (closing its client,
/// which unlinks the channel and wakes a blocked read).
final class SignalWatch: Sendable {
    /// The signals a command stops on.
    static let stopSignals = [SIGINT, SIGTERM]

    private let received = Atomic<Int32>(0)

    /// Blocks ``stopSignals`` in this thread and in those it starts from now on. Call it first
    /// in the command, before any client (and so any thread) exists.
    static func blockStopSignals() throws {
        do throws(SystemCallError) {
            try Sys.blockSignals(stopSignals)
        } catch {
            throw RuntimeError("cannot block SIGINT and SIGTERM: \(error)")
        }
    }

    /// Starts the thread that waits for a stop signal (blocked beforehand with
    /// ``blockStopSignals()``) and then runs `stop` once. A thread of its own, not one of
    /// Dispatch's pool (as wide as the cores), where it would block a worker for good.
    init(stop: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in
            guard let signal = try? Sys.waitForSignal(Self.stopSignals) else { return }
            received.store(signal, ordering: .releasing)
            stop()
        }
    }

    /// The stop signal taken, or nil while none came.
    var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// `SIGINT` or `SIGTERM`, for messages.
    static func name(_ signal: Int32) -> String { signal == SIGINT ? "SIGINT" : "SIGTERM" }
}
