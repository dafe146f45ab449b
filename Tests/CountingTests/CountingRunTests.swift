import Testing
import Counting

@Suite("Counting kernels")
struct CountingRunTests {
    /// Every mode, on 1 thread for the one-thread modes and 3 for the others.
    static let cases: [(CountingMode, Int)] = CountingMode.allCases.map { ($0, $0.isMultiThreaded ? 3 : 1) }

    @Test("each mode counts exactly to the target", arguments: cases)
    func countsExactly(mode: CountingMode, threads: Int) throws {
        let target: UInt64 = 60_000
        let result = try CountingRun(mode: mode, threads: threads, target: target, budgetSeconds: 600, batch: 1_000).measure()

        #expect(!result.extrapolated)
        #expect(result.counted == target)
        #expect(result.perThread.count == threads)
        #expect(result.perThread.reduce(0, +) == target)
        // Each thread's last wrappingAdd (which found the target reached) overshoots by one.
        let overshoot: UInt64 = mode == .atomic || mode == .contended ? UInt64(threads) : 0
        #expect(result.finalCounter == target + overshoot)
        #expect(result.estimatedSeconds == result.wallSeconds)
        #expect(result.nanosecondsPerIncrement > 0)
        if mode == .singleWriter {
            #expect(result.drains >= target / 1_000)
        } else {
            #expect(result.drains == 0)
        }
    }

    @Test("a case that runs out of budget stops and is extrapolated",
          arguments: [CountingMode.plain, .atomic, .contended, .cas, .lock, .singleWriter])
    func extrapolates(mode: CountingMode) throws {
        let target = CountingRun.targetRange.upperBound
        let threads = mode.isMultiThreaded ? 4 : 1
        let result = try CountingRun(mode: mode, threads: threads, target: target, budgetSeconds: 0.05).measure()

        #expect(result.extrapolated)
        #expect(result.counted > 0)
        #expect(result.counted < target)
        #expect(result.perThread.reduce(0, +) == result.counted)
        #expect(result.estimatedSeconds > result.wallSeconds)
        #expect(result.estimatedSeconds == result.wallSeconds * Double(target) / Double(result.counted))
        #expect(result.cpuSeconds > 0)
    }

    @Test("settings out of range are refused with a typed error")
    func refusesBadSettings() {
        #expect(throws: CountingError.threadsOutOfRange(mode: .plain, threads: 2, allowed: 1...1)) {
            try CountingRun(mode: .plain, threads: 2, target: 10, budgetSeconds: 1)
        }
        #expect(throws: CountingError.threadsOutOfRange(mode: .lock, threads: 0, allowed: CountingRun.threadRange)) {
            try CountingRun(mode: .lock, threads: 0, target: 10, budgetSeconds: 1)
        }
        #expect(throws: CountingError.targetOutOfRange(target: 0, allowed: CountingRun.targetRange)) {
            try CountingRun(mode: .atomic, target: 0, budgetSeconds: 1)
        }
        #expect(throws: CountingError.batchOutOfRange(batch: 0, allowed: CountingRun.batchRange)) {
            try CountingRun(mode: .singleWriter, threads: 2, target: 10, budgetSeconds: 1, batch: 0)
        }
        #expect(throws: CountingError.self) {
            try CountingRun(mode: .cas, threads: 2, target: 10, budgetSeconds: .nan)
        }
        #expect(throws: CountingError.budgetOutOfRange(seconds: 0, allowed: CountingRun.budgetRange)) {
            try CountingRun(mode: .cas, threads: 2, target: 10, budgetSeconds: 0)
        }
    }
}
