import Counting
import Foundation

extension Command {
    /// `ringside contention`: the counting-contention demo (one writer versus many).
    static let contention = Command(
        name: "contention",
        summary: "count to a target alone, with shared atomics, CAS, a lock, or one writer",
        help: """
            USAGE: ringside contention [--mode MODE[,MODE...]] [--threads N[,N...]] [--target N]
                                       [--budget SECONDS] [--batch N] [--json]

            Counts to a target in several ways and shows what sharing one counter costs: the
            demo behind Ringside's single-writer design.

            The talk this project comes from said one thread counted to two billion in "less
            than a microsecond": the compiler had folded the loop into its result (mode
            folded shows it). An honest loop takes under a second (mode plain). Then
            "everyone helps": 128 threads add to one shared atomic, the machine shows 800% CPU
            and the run never finishes. The cure is one writer: threads compete once for the
            right to do the work (a work-in-progress counter), the winner counts in its own
            register and publishes once, and the others go and do something else.

            MODES (default: all, in this order):
              plain          one thread, a local counter in a register. After every increment
                             the value passes through ringside_register_barrier_u64 (CRingside.h):
                             an empty inline-assembly statement, asm volatile("" : "+r"(x)),
                             that the optimiser must assume reads and changes x. It emits no
                             instruction, but the loop can no longer be folded, so every
                             increment is one real add, compare and branch. The final count
                             is part of the result ("counted" in --json), so it must be computed.
              folded         the same loop without the barrier, left to the optimiser, which
                             computes the count in closed form (in a release build; a debug
                             build counts for real)
              atomic         one thread, Atomic.wrappingAdd on a shared word
              contended      N threads, wrappingAdd on one shared atomic
              cas            N threads, load and compare-exchange loop on one shared atomic
              lock           N threads, one Mutex taken around each increment
              single-writer  N threads signal a SerialDrain; the winner counts a batch in a
                             register and publishes it with one store; the others spin politely
                             (pause, and a yield every 64 spins) until the drain is free

            OPTIONS:
              --mode M[,M...]     modes to run (default: all)
              --threads N[,N...]  thread counts for contended, cas, lock and single-writer
                                  (default: \(Self.defaultThreads.map(String.init).joined(separator: ",")))
              --target N          the count to reach (default: \(Self.defaultTarget))
              --budget SECONDS    wall-clock budget per case (default: \(Self.defaultBudget)). A case that
                                  runs out is stopped; the table shows the rate it reached and
                                  the time the full target would need, marked extrapolated
              --batch N           single-writer increments per drain pass (default: \(CountingRun.defaultBatch))
              --json              print the results as JSON instead of a table
              -h, --help          show this help

            COLUMNS: time is wall time from the first thread starting to count to the last
            one finishing; ns/inc is that time over the increments counted (all threads
            together); vs plain is the speed relative to mode plain (run plain to get it);
            cpu/wall is the CPU time of all threads over wall time (100% is one core busy;
            200% on two cores is the whole machine; "-" for cases under a millisecond).
            Every shared word sits on a 128-byte block of its own. Progress lines go to
            standard error. On defaults each of the 35 cases stops after at most the budget:
            about two minutes on 2 cores. Build with -c release: a debug build's figures mean
            nothing.

            FOR REFERENCE, Martin Thompson's published figures (not measured here): 500
            million increments of a 64-bit counter in Java on a 2.4 GHz Intel Westmere EP
            (LMAX Disruptor paper, 2011):
              one thread                  300 ms
              one thread with CAS       5,700 ms
              two threads with CAS     30,000 ms   (18,000 ms in his blog)
              one thread with a lock   10,000 ms
              two threads with a lock 224,000 ms
            """,
        run: runContention)

    static let defaultThreads = [1, 2, 4, 8, 16, 32, 64, 128]
    static let defaultTarget: UInt64 = 2_000_000_000
    static let defaultBudget = 3.0
}

private func runContention(_ arguments: Arguments) throws -> Int32 {
    var arguments = arguments
    let json = try arguments.flag("--json")
    let modes = try parseModes(arguments.option("--mode"))
    let threadCounts = try parseList(arguments.option("--threads"), flag: "--threads", in: CountingRun.threadRange)
        ?? Command.defaultThreads
    let target = try arguments.integer("--target", in: 1...Int(CountingRun.targetRange.upperBound))
        .map(UInt64.init) ?? Command.defaultTarget
    let batch = try arguments.integer("--batch", in: 1...Int(CountingRun.batchRange.upperBound))
        .map(UInt64.init) ?? CountingRun.defaultBatch
    let budget = try parseBudget(arguments.option("--budget"))
    let extra = try arguments.positionals()
    guard extra.isEmpty else { throw UsageError("unexpected argument '\(extra[0])'") }

    var runs: [CountingRun] = []
    for mode in modes {
        for threads in mode.isMultiThreaded ? threadCounts : [1] {
            runs.append(try CountingRun(mode: mode, threads: threads, target: target, budgetSeconds: budget, batch: batch))
        }
    }
    var results: [CountingResult] = []
    for (index, run) in runs.enumerated() {
        printError("  .. [\(index + 1)/\(runs.count)] \(run.mode.rawValue), \(run.threads) thread\(run.threads == 1 ? "" : "s"): counting to \(run.target) (budget \(run.budgetSeconds) s)")
        let result = try run.measure()
        printError("     \(ContentionReport.duration(result.wallSeconds)), \(ContentionReport.significant(result.nanosecondsPerIncrement)) ns/inc\(result.extrapolated ? ", budget ran out: extrapolated" : "")")
        results.append(result)
    }
    let report = ContentionReport(results: results)
    print(json ? try report.json() : report.table())
    return 0
}

private func parseModes(_ text: String?) throws -> [CountingMode] {
    guard let text else { return CountingMode.allCases }
    var chosen: Set<CountingMode> = []
    for name in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard let mode = CountingMode(rawValue: String(name)) else {
            throw UsageError("unknown mode '\(name)'; modes: \(CountingMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        chosen.insert(mode)
    }
    return CountingMode.allCases.filter(chosen.contains)
}

private func parseList(_ text: String?, flag: String, in range: ClosedRange<Int>) throws -> [Int]? {
    guard let text else { return nil }
    return try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
        guard let value = Int(item), range.contains(value) else {
            throw UsageError("\(flag) needs whole numbers from \(range.lowerBound) to \(range.upperBound), not '\(item)'")
        }
        return value
    }
}

private func parseBudget(_ text: String?) throws -> Double {
    guard let text else { return Command.defaultBudget }
    guard let seconds = Double(text), seconds.isFinite, CountingRun.budgetRange.contains(seconds) else {
        throw UsageError("--budget needs seconds from \(CountingRun.budgetRange.lowerBound) to \(CountingRun.budgetRange.upperBound), not '\(text)'")
    }
    return seconds
}
