import Counting
import DrainLoop
import Glibc
import Harness
import Synchronization

extension Suite {
    /// The counting-contention demo (`ringside contention`) as lab cases, plus proof that the
    /// single writer's own machinery (a drain signal, the agent duty cycle) allocates nothing.
    static let contention = Suite(
        name: "contention",
        summary: "ns per increment counting with one thread, a shared atomic, CAS, a lock, or one writer",
        chart: .lines(metric: "ns_per_inc", xLabel: "threads", logY: true, point: ContentionCase.point)
    ) { context in
        for contentionCase in ContentionCase.all {
            let run = try CountingRun(
                mode: contentionCase.mode, threads: contentionCase.threads,
                target: UInt64(context.scaled(contentionCase.target, minimum: 1_000)),
                budgetSeconds: max(0.01, contentionCase.budgetSeconds * context.scale))
            for _ in context.repetitions(contentionCase.name) {
                // The counting kernels time themselves (wall and CPU clocks, a budget), as
                // `ringside contention` reports them.
                let result = try run.measure()
                context.record(case: contentionCase.name, metric: "ns_per_inc", value: result.nanosecondsPerIncrement, unit: "ns")
                context.record(case: contentionCase.name, metric: "cpu_over_wall", value: result.cpuOverWall, unit: "ratio")
                context.progress("\(contentionCase.name): \(Console.human(result.nanosecondsPerIncrement)) ns/inc\(result.extrapolated ? " (budget ran out)" : "")")
            }
        }
        let signals = context.scaled(1_000_000, minimum: 10_000)
        let cycles = context.scaled(1_000_000, minimum: 10_000)
        for _ in context.repetitions("serial-drain-signal and agent-duty-cycle", detail: "\(signals) signals, \(cycles) duty cycles") {
            let drain = try measureDrainSignals(signals)
            context.record(case: "serial-drain-signal", metric: "ns_per_signal", value: drain.nanosecondsPerOperation, unit: "ns")
            context.record(case: "serial-drain-signal", metric: "allocations", value: Double(drain.allocations.mallocs), unit: "count")
            let agent = try measureDutyCycles(cycles)
            context.record(case: "agent-duty-cycle", metric: "allocations", value: Double(agent), unit: "count")
        }
    }
}

/// One case of the suite: a counting mode on some threads, with a target and a budget sized
/// so that the suite takes about a minute on 2 cores with 5 runs.
private struct ContentionCase {
    let name: String
    let mode: CountingMode
    let threads: Int
    let target: Int
    let budgetSeconds: Double

    static let all: [ContentionCase] = [
        ContentionCase(name: "plain", mode: .plain, threads: 1, target: 200_000_000, budgetSeconds: 1),
        ContentionCase(name: "atomic", mode: .atomic, threads: 1, target: 100_000_000, budgetSeconds: 0.5),
    ] + [1, 2, 4, 8].map { ContentionCase(mode: .contended, threads: $0, target: 50_000_000, budgetSeconds: 0.25) }
        + [1, 2, 8].map { ContentionCase(mode: .cas, threads: $0, target: 50_000_000, budgetSeconds: 0.25) }
        + [1, 2, 8].map { ContentionCase(mode: .lock, threads: $0, target: 20_000_000, budgetSeconds: 0.25) }
        + [1, 2, 4, 8].map { ContentionCase(mode: .singleWriter, threads: $0, target: 200_000_000, budgetSeconds: 0.5) }

    init(name: String, mode: CountingMode, threads: Int, target: Int, budgetSeconds: Double) {
        self.name = name
        self.mode = mode
        self.threads = threads
        self.target = target
        self.budgetSeconds = budgetSeconds
    }

    /// A multi-thread case, named MODE-THREADS.
    init(mode: CountingMode, threads: Int, target: Int, budgetSeconds: Double) {
        self.init(name: "\(mode.rawValue)-\(threads)", mode: mode, threads: threads, target: target, budgetSeconds: budgetSeconds)
    }

    /// The chart's point for a case name: the mode is the series, the thread count the x
    /// value (`plain` and `atomic` run on one thread).
    static func point(_ caseName: String) -> (series: String, x: Double)? {
        guard let found = all.first(where: { $0.name == caseName }) else { return nil }
        return (found.mode.rawValue, Double(found.threads))
    }
}

/// Signals an uncontended drain `count` times on this thread: the time per signal (two
/// atomic read-modify-writes and the drain body) and the allocations made.
private func measureDrainSignals(_ count: Int) throws -> Measurement {
    let drain = SerialDrain()
    var drained = 0
    let measured = try Measurement.run {
        for _ in 0..<count { drain.signal { drained &+= 1 } }
        return count
    }
    guard drained == count else { throw LabError("\(count) signals on an idle drain ran \(drained) drain passes") }
    return measured
}

/// Runs an agent for `cycles` duty cycles after a warm-up and returns the allocations its
/// thread made meanwhile (the runner's loop, the agent and the idle strategy together).
private func measureDutyCycles(_ cycles: Int) throws -> UInt64 {
    let outcome = AllocationOutcome()
    let runner = try AgentRunner(agent: AllocationProbeAgent(measured: cycles, outcome: outcome))
    while !outcome.done.load(ordering: .acquiring) { sched_yield() }
    runner.close()
    return outcome.allocations.load(ordering: .acquiring)
}

/// Where the probe agent leaves its measurement.
private final class AllocationOutcome: Sendable {
    let allocations = Atomic<UInt64>(0)
    let done = Atomic<Bool>(false)
}

/// An agent that reads its thread's allocation counter after a warm-up and again `measured`
/// duty cycles later (it reports one unit of work per cycle, and yields to the idle strategy
/// every other cycle so both paths of the loop run).
private struct AllocationProbeAgent: Agent {
    static let warmUp = 1_000
    let measured: Int
    let outcome: AllocationOutcome
    private var cycle = 0
    private var baseline: UInt64 = 0

    init(measured: Int, outcome: AllocationOutcome) {
        self.measured = measured
        self.outcome = outcome
    }

    var roleName: String { "allocation-probe" }

    mutating func doWork() -> Int {
        cycle += 1
        if cycle == Self.warmUp { baseline = AllocationCounts.current.mallocs }
        if cycle == Self.warmUp + measured {
            outcome.allocations.store(AllocationCounts.current.mallocs - baseline, ordering: .relaxed)
            outcome.done.store(true, ordering: .releasing)
        }
        return cycle & 1
    }
}
