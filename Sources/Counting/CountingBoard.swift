import DrainLoop
import Glibc
import Synchronization

/// The shared state of one counting run. Every word that threads write or poll while they
/// count sits on a 128-byte block of its own, and the kernels copy the read-only settings
/// into locals, so nothing is reloaded from a line another thread is writing.
///
/// Everything threads share is an atomic (the lock mode's lock aside), so the thread
/// sanitizer sees every synchronisation: it cannot see inside the standard library's
/// futex-based `Mutex`.
final class CountingBoard: Sendable {
    /// What one thread counted.
    struct Tally {
        /// Increments this thread made that count towards the target.
        var increments: UInt64 = 0
        /// Drain passes this thread ran (single-writer mode only).
        var drains: UInt64 = 0
    }

    /// One thread's report, written by that thread once it has counted and read after it
    /// has been joined.
    final class Report: Sendable {
        let increments = Atomic<UInt64>(0)
        let drains = Atomic<UInt64>(0)
        /// The wall clock just after this thread counted.
        let endWall = Atomic<UInt64>(0)
    }

    /// A lock and the count it guards. The count is an atomic read and written with relaxed
    /// loads and stores (plain moves on x86 and ARM): the lock alone orders them, and the
    /// thread sanitizer, blind to the lock's futex, still sees no plain racing access.
    struct LockedCount: ~Copyable, Sendable {
        let lock = Mutex<Void>(())
        let count = Atomic<UInt64>(0)
    }

    let target: UInt64
    let batch: UInt64
    /// One report per thread, by thread index.
    let reports: [Report]

    /// The shared counter of the atomic, contended, cas and single-writer modes.
    let counter = CacheLineIsolated(Atomic<UInt64>(0))
    /// The lock mode's lock and the count it guards, side by side on one block as a field
    /// and its lock would be.
    let locked = CacheLineIsolated(LockedCount())
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
    /// Threads done; the last one reads the CPU clock at the end.
    let finished = Atomic<Int>(0)
    let endCPU = Atomic<UInt64>(0)

    init(target: UInt64, batch: UInt64, threads: Int) {
        self.target = target
        self.batch = batch
        reports = (0..<threads).map { _ in Report() }
    }

    /// Whether the budget has run out (a relaxed read: the flag only has to arrive eventually).
    var stopRequested: Bool { stop.value.load(ordering: .relaxed) }

    /// Thread `index`'s life: check in, wait for the start, count, report. The workers read
    /// the clocks themselves, so neither thread start-up nor the main thread's polling adds
    /// to the time.
    func work(_ mode: CountingMode, index: Int) {
        ready.wrappingAdd(1, ordering: .releasing)
        while !go.load(ordering: .acquiring) { sched_yield() }
        if !started.exchange(true, ordering: .relaxed) {
            startCPU.store(ProcessClock.cpuNanoseconds(), ordering: .relaxed)
            startWall.store(ProcessClock.wallNanoseconds(), ordering: .relaxed)
        }
        let tally = count(mode)
        let report = reports[index]
        report.endWall.store(ProcessClock.wallNanoseconds(), ordering: .relaxed)
        report.increments.store(tally.increments, ordering: .relaxed)
        report.drains.store(tally.drains, ordering: .relaxed)
        if finished.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == reports.count {
            endCPU.store(ProcessClock.cpuNanoseconds(), ordering: .relaxed)
        }
    }
}
