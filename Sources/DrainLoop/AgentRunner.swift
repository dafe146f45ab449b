import CRingside
import Glibc
import Posix
import Synchronization

/// Runs an `Agent`'s duty cycle on a thread of its own until stopped:
///
///     while not stopped { workCount = agent.doWork() (0 if it threw); idle(workCount) }
///     agent.onClose()
///
/// An error thrown by `doWork` is counted (`errorCount`), kept (`lastError`) and passed to
/// the error handler, and the cycle goes on: errors are never swallowed silently, and one bad
/// message does not stop the single writer. `stop()` asks the loop to end after the current
/// cycle; `join()` waits for it; `close()` does both. Dropping the runner does not stop the
/// thread (it keeps the runner alive while it runs): call `close()`.
public final class AgentRunner: Sendable {
    /// The agent's role name.
    public let roleName: String

    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let errors = Atomic<Int>(0)
    private let latestError = Mutex<(any Error)?>(nil)
    private let thread = Mutex<PosixThread?>(nil)
    private let kernelThreadID = Atomic<Int32>(0)

    /// The kernel's id of the runner's thread (the `ID` of `/proc/self/task/ID`, for tools and
    /// tests that read its CPU time), once the thread has started; nil before.
    public var threadID: Int32? {
        let id = kernelThreadID.load(ordering: .acquiring)
        return id == 0 ? nil : id
    }

    /// Starts `agent` on a new thread.
    ///
    /// - Parameters:
    ///   - agent: the agent; from now on it lives on the runner's thread.
    ///   - idle: called after every duty cycle with its work count, on the runner's thread;
    ///     the default yields the processor when a cycle found no work. Plug a busy-spin or
    ///     backoff strategy in here.
    ///   - onError: called on the runner's thread with each error `doWork` throws; the
    ///     default writes a line to standard error.
    public init<A: Agent>(
        agent: sending A,
        idle: sending @escaping (_ workCount: Int) -> Void = AgentRunner.yieldWhenIdle,
        onError: @escaping @Sendable (_ roleName: String, _ error: any Error) -> Void = AgentRunner.reportToStandardError
    ) throws(AgentRunnerError) {
        roleName = agent.roleName
        do {
            let started = try PosixThread.spawn { [self] in
                kernelThreadID.store(ringside_thread_id(), ordering: .releasing)
                var agent = agent
                while !stopRequested.load(ordering: .acquiring) {
                    var workCount = 0
                    do {
                        workCount = try agent.doWork()
                    } catch {
                        record(error, onError)
                    }
                    idle(workCount)
                }
                agent.onClose()
                finished.store(true, ordering: .releasing)
            }
            thread.withLock { $0 = started }
        } catch {
            throw .threadStartFailed(roleName: roleName, errno: error.code)
        }
    }

    /// Asks the duty cycle to end after the current cycle. Returns at once; idempotent.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Waits until the runner's thread has ended (after `stop()`, `onClose` included).
    /// Calling it again, or from several threads, is harmless.
    public func join() {
        thread.withLock { thread in
            thread?.join()
            thread = nil
        }
    }

    /// Stops the duty cycle and waits for the thread to end.
    public func close() {
        stop()
        join()
    }

    /// Whether the duty cycle is still running (false once `onClose` has returned).
    public var isRunning: Bool { !finished.load(ordering: .acquiring) }

    /// How many errors `doWork` has thrown so far.
    public var errorCount: Int { errors.load(ordering: .acquiring) }

    /// The most recent error `doWork` threw, if any.
    public var lastError: (any Error)? { latestError.withLock { $0 } }

    private func record(_ error: any Error, _ onError: @Sendable (String, any Error) -> Void) {
        latestError.withLock { $0 = error }
        errors.wrappingAdd(1, ordering: .releasing)
        onError(roleName, error)
    }

    /// The default idle strategy: yields the processor after a cycle that found no work.
    public static func yieldWhenIdle(_ workCount: Int) {
        if workCount == 0 { sched_yield() }
    }

    /// The default error handler: one line on standard error naming the agent.
    public static func reportToStandardError(_ roleName: String, _ error: any Error) {
        StandardError.writeLine("agent \(roleName): \(error)")
    }
}
