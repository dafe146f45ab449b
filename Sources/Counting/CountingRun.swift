import DrainLoop
import Glibc

/// One case of the counting-contention demo: a mode, a thread count, a target and a time
/// budget. `measure()` starts the threads behind a barrier, lets them count, stops them when
/// the budget runs out, and reports what they reached.
public struct CountingRun: Sendable {
    /// Targets accepted (up to 2^62, so no count can overflow).
    public static let targetRange: ClosedRange<UInt64> = 1...(1 << 62)
    /// Thread counts accepted by the multi-thread modes.
    public static let threadRange: ClosedRange<Int> = 1...1024
    /// Single-writer batch sizes accepted.
    public static let batchRange: ClosedRange<UInt64> = 1...(1 << 32)
    /// Budgets accepted, in seconds.
    public static let budgetRange: ClosedRange<Double> = 0.001...86_400
    /// The single-writer batch when none is given (the C reference's).
    public static let defaultBatch: UInt64 = 65_536

    /// How it counts.
    public let mode: CountingMode
    /// How many threads count (1 for the one-thread modes).
    public let threads: Int
    /// The count to reach.
    public let target: UInt64
    /// Wall-clock seconds after which the threads are stopped and the run is extrapolated.
    public let budgetSeconds: Double
    /// Increments the single-writer drainer counts per pass.
    public let batch: UInt64

    /// A validated run; throws `CountingError` for a setting out of range.
    public init(
        mode: CountingMode, threads: Int = 1, target: UInt64, budgetSeconds: Double,
        batch: UInt64 = CountingRun.defaultBatch
    ) throws(CountingError) {
        let allowed = mode.isMultiThreaded ? Self.threadRange : 1...1
        guard allowed.contains(threads) else {
            throw .threadsOutOfRange(mode: mode, threads: threads, allowed: allowed)
        }
        guard Self.targetRange.contains(target) else {
            throw .targetOutOfRange(target: target, allowed: Self.targetRange)
        }
        guard Self.batchRange.contains(batch) else {
            throw .batchOutOfRange(batch: batch, allowed: Self.batchRange)
        }
        guard budgetSeconds.isFinite, Self.budgetRange.contains(budgetSeconds) else {
            throw .budgetOutOfRange(seconds: budgetSeconds, allowed: Self.budgetRange)
        }
        self.mode = mode
        self.threads = threads
        self.target = target
        self.budgetSeconds = budgetSeconds
        self.batch = batch
    }

    /// Runs the case on fresh threads and returns what it measured. The calling thread only
    /// starts, times out and joins the workers; it sleeps while they count.
    public func measure() throws(CountingError) -> CountingResult {
        let board = CountingBoard(target: target, batch: batch, threads: threads)
        let mode = self.mode
        var workers: [PosixThread] = []
        workers.reserveCapacity(threads)
        for index in 0..<threads {
            do {
                workers.append(try PosixThread.spawn { board.work(mode, index: index) })
            } catch {
                board.stop.value.store(true, ordering: .releasing)
                board.go.store(true, ordering: .releasing)
                for worker in workers { worker.join() }
                throw .threadStartFailed(thread: index, errno: error.code)
            }
        }
        while board.ready.load(ordering: .acquiring) < threads { usleep(100) }
        let deadline = ProcessClock.wallNanoseconds() &+ UInt64(budgetSeconds * 1e9)
        board.go.store(true, ordering: .releasing)
        while board.finished.load(ordering: .acquiring) < threads {
            let now = ProcessClock.wallNanoseconds()
            guard now < deadline else {
                board.stop.value.store(true, ordering: .releasing)
                break
            }
            usleep(UInt32(min(1_000, (deadline - now) / 1_000 + 1)))
        }
        for worker in workers { worker.join() }
        return result(of: board)
    }

    private func result(of board: CountingBoard) -> CountingResult {
        let perThread = board.reports.map { $0.increments.load(ordering: .relaxed) }
        let counted = perThread.reduce(0, &+)
        let endWall = board.reports.map { $0.endWall.load(ordering: .relaxed) }.max() ?? 0
        let finalCounter: UInt64
        switch mode {
        case .plain, .folded: finalCounter = counted
        case .lock: finalCounter = board.locked.value.count.load(ordering: .relaxed)
        case .atomic, .contended, .cas, .singleWriter: finalCounter = board.counter.value.load(ordering: .relaxed)
        }
        return CountingResult(
            mode: mode, threads: threads, target: target, counted: counted, finalCounter: finalCounter,
            wallSeconds: Double(endWall &- board.startWall.load(ordering: .relaxed)) / 1e9,
            cpuSeconds: Double(board.endCPU.load(ordering: .relaxed) &- board.startCPU.load(ordering: .relaxed)) / 1e9,
            budgetSeconds: budgetSeconds, perThread: perThread,
            drains: board.reports.reduce(0) { $0 &+ $1.drains.load(ordering: .relaxed) })
    }
}
