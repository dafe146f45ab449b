import Glibc
import Synchronization

/// The shared state of one counting run. Every word that threads write or poll while they
/// count sits on a 128-byte block of its own, and the kernels copy the read-only settings
/// into locals, so nothing is reloaded from a line another thread is writing.
final class CountingBoard: Sendable {
    /// What each thread reports when it is done.
    struct Tally: Sendable {
        /// Increments this thread made that count towards the target.
        var increments: UInt64 = 0
        /// Drain passes this thread ran (single-writer mode only).
        var drains: UInt64 = 0
    }

    /// The threads' reports and the clocks at the end: the latest wall clock a thread read
    /// just after it counted, and the CPU clock once the last thread has reported.
    struct Record: Sendable {
        var tallies: [Tally] = []
        var endWall: UInt64 = 0
        var endCPU: UInt64 = 0
    }

    let target: UInt64
    let batch: UInt64
    let threads: Int

    /// The shared counter of the atomic, contended, cas and single-writer modes.
    let counter = CacheLineIsolated(Atomic<UInt64>(0))
    /// The lock mode's counter, inside its lock.
    let lock = CacheLineIsolated(Mutex<UInt64>(0))
    /// The single-writer mode's work-in-progress counter.
    let drain = SerialDrain()
    /// Set when the time budget has run out.
    let stop = CacheLineIsolated(Atomic<Bool>(false))
    /// The start barrier: threads check in on `ready`, then wait for `go`.
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    /// Set by the first thread past the barrier, which then reads the clocks at the start
    /// (CPU first: a system call, kept outside the wall-clock interval).
    let started = Atomic<Bool>(false)
    let startWall = Atomic<UInt64>(0)
    let startCPU = Atomic<UInt64>(0)
    let record = Mutex(Record())

    init(target: UInt64, batch: UInt64, threads: Int) {
        self.target = target
        self.batch = batch
        self.threads = threads
    }

    /// Whether the budget has run out (a relaxed read: the flag only has to arrive eventually).
    var stopRequested: Bool { stop.value.load(ordering: .relaxed) }

    /// One worker's life: check in, wait for the start, count, report. The workers read the
    /// clocks themselves, so neither thread start-up nor the main thread's polling adds to
    /// the time.
    func work(_ mode: CountingMode) {
        ready.wrappingAdd(1, ordering: .releasing)
        while !go.load(ordering: .acquiring) { sched_yield() }
        if !started.exchange(true, ordering: .relaxed) {
            startCPU.store(ProcessClock.cpuNanoseconds(), ordering: .relaxed)
            startWall.store(ProcessClock.wallNanoseconds(), ordering: .relaxed)
        }
        let tally = count(mode)
        let wall = ProcessClock.wallNanoseconds()
        record.withLock { record in
            record.tallies.append(tally)
            record.endWall = max(record.endWall, wall)
            if record.tallies.count == threads {
                record.endCPU = ProcessClock.cpuNanoseconds()
            }
        }
    }

    /// How many threads have reported.
    var finishedThreads: Int { record.withLock { $0.tallies.count } }
}
