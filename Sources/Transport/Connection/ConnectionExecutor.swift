import Glibc
import Synchronization

/// A task executor that runs jobs on the connection's own thread, the one that reads the
/// carrier for asynchronous callers (``Connection/executor``).
///
/// A task that reads a request-stream on the global pool is resumed by that thread through
/// the pool: each item then costs a thread wake-up (a futex wake and a context switch, a few
/// microseconds) before the reader holds it. A task that prefers this executor
/// (`Task(executorPreference:)`, `addTask(executorPreference:)`,
/// `withTaskExecutorPreference(_:operation:)`) is resumed on the reading thread itself, right
/// after the read that delivered its item: no hand-over. The price: the connection's thread
/// runs the task's code between its reads, so that code must be short and must never block
/// (no blocking call on any connection, no long computation); hand heavy work to another
/// task.
///
/// A job enqueued from another thread wakes the connection's thread wherever it sleeps (on
/// TCP, where it sleeps in the carrier's own wait, after at most 2 ms); one enqueued by the
/// connection's thread itself (the read that resumed a task) is queued without the lock or
/// a wake-up. Once the connection is closed, jobs go to the global concurrent executor, so
/// no task is left suspended.
public final class ConnectionExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queues` is only touched by the connection's thread (`ownerThread`, or any
    // thread once that one has stopped: `close`); the rest is immutable or thread-safe by
    // itself.

    /// The jobs waiting to run, and whether the connection is closed (then nothing waits).
    private struct State {
        var queue: [UnownedJob] = []
        var closed = false
    }

    /// The job arrays only the connection's thread touches (no allocation once grown).
    private struct ThreadQueues {
        /// The connection's thread's batch, swapped with the shared queue.
        var running: [UnownedJob] = []
        /// The jobs the connection's thread enqueued itself.
        var own: [UnownedJob] = []
        /// Their batch while they run.
        var ownRunning: [UnownedJob] = []
    }

    private let shared: ConnectionShared
    private let state = Mutex(State())
    /// Jobs queued (read without the lock before the connection's thread sleeps).
    private let waiting = Atomic<Int>(0)
    /// The connection's thread (`pthread_self()`), once it runs; 0 before it and once closed.
    private let ownerThread = Atomic<UInt>(0)
    /// The connection's thread's arrays, in memory of their own that lives as long as the
    /// executor, reached through the pointer: each access to a class's stored `var` pays a
    /// run-time exclusivity check, and the ticker's every spin turn asks for jobs (three
    /// checks a turn, two more per job). Safe: one thread at a time touches them (see
    /// `@unchecked` above), and no access spans a job's run (a batch is swapped out first).
    private let queues: UnsafeMutablePointer<ThreadQueues>

    init(shared: ConnectionShared) {
        self.shared = shared
        state.withLock { $0.queue.reserveCapacity(64) }
        queues = .allocate(capacity: 1)
        queues.initialize(to: ThreadQueues())
        queues.pointee.running.reserveCapacity(64)
        queues.pointee.own.reserveCapacity(64)
        queues.pointee.ownRunning.reserveCapacity(64)
    }

    deinit {
        queues.deinitialize(count: 1)
        queues.deallocate()
    }

    /// Called by the connection's thread when it starts: from then on its own enqueues take
    /// no lock.
    func adoptCurrentThread() {
        ownerThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    /// Queues `job` for the connection's thread and wakes it, or hands it to the global
    /// concurrent executor once the connection is closed.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if UInt(pthread_self()) == ownerThread.load(ordering: .relaxed) {
            // On the connection's thread (a read resumed a task): it runs its jobs after the
            // read, and it is awake.
            queues.pointee.own.append(job)
            return
        }
        let queued = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.queue.append(job)
            waiting.add(1, ordering: .releasing)
            return true
        }
        if queued {
            shared.wakeTicker()
        } else {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Whether jobs wait for the connection's thread; asked by that thread only.
    var hasJobs: Bool { !queues.pointee.own.isEmpty || waiting.load(ordering: .acquiring) > 0 }

    /// Runs, on the connection's thread, the jobs queued so far (not those they queue);
    /// returns how many ran. Never called with the connection's mutex held: the jobs take it.
    func runJobs() -> Int {
        var ran = 0
        if !queues.pointee.own.isEmpty {
            var own: [UnownedJob] = []
            swap(&own, &queues.pointee.ownRunning)
            swap(&own, &queues.pointee.own)
            let executor = asUnownedTaskExecutor()
            for index in 0 ..< own.count { own[index].runSynchronously(on: executor) }
            ran = own.count
            own.removeAll(keepingCapacity: true)
            swap(&own, &queues.pointee.ownRunning)
        }
        guard waiting.load(ordering: .acquiring) > 0 else { return ran }
        var batch: [UnownedJob] = []
        swap(&batch, &queues.pointee.running)
        state.withLock { state in
            swap(&state.queue, &batch)
            waiting.store(0, ordering: .relaxed)
        }
        defer {
            batch.removeAll(keepingCapacity: true)
            swap(&batch, &queues.pointee.running)
        }
        let executor = asUnownedTaskExecutor()
        for index in 0 ..< batch.count { batch[index].runSynchronously(on: executor) }
        return ran + batch.count
    }

    /// The connection closed (its thread has stopped, or this is its last cycle): jobs
    /// waiting, and from now on every job, go to the global concurrent executor.
    func close() {
        ownerThread.store(0, ordering: .releasing)
        for job in queues.pointee.own { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        queues.pointee.own.removeAll()
        let left = state.withLock { state -> [UnownedJob] in
            state.closed = true
            waiting.store(0, ordering: .relaxed)
            defer { state.queue.removeAll() }
            return state.queue
        }
        for job in left { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }
}
