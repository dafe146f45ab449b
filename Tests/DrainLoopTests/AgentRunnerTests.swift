import Glibc
import Synchronization
import Testing
import DrainLoop

@Suite("AgentRunner")
struct AgentRunnerTests {
    @Test("runs the duty cycle on its own thread until stopped, then closes the agent once")
    func runsUntilStopped() throws {
        let probe = Probe()
        let idled = Atomic<Int>(0)
        let idleWork = Atomic<Int>(0)
        let runner = try AgentRunner(
            agent: CountingAgent(probe: probe, failEvery: nil),
            idle: { workCount in
                idled.wrappingAdd(1, ordering: .relaxed)
                idleWork.wrappingAdd(workCount, ordering: .relaxed)
            })
        #expect(probe.waitForCycles(200))
        #expect(runner.isRunning)
        runner.close()

        #expect(!runner.isRunning)
        let cycles = probe.cycles.load(ordering: .acquiring)
        #expect(cycles >= 200)
        #expect(probe.closes.load(ordering: .acquiring) == 1)
        #expect(probe.closedAfterCycles.load(ordering: .acquiring) == cycles)
        #expect(probe.ranOnCallerThread.load(ordering: .acquiring) == false)
        #expect(idled.load(ordering: .relaxed) == cycles)
        #expect(idleWork.load(ordering: .relaxed) == probe.work.load(ordering: .relaxed))
        #expect(runner.errorCount == 0)
        #expect(runner.lastError == nil)
    }

    @Test("errors are counted, kept and handed to the handler, and the duty cycle goes on")
    func reportsErrors() throws {
        let probe = Probe()
        let reported = Mutex<[String]>([])
        let runner = try AgentRunner(
            agent: CountingAgent(probe: probe, failEvery: 3),
            onError: { role, error in reported.withLock { $0.append("\(role): \(error)") } })
        #expect(probe.waitForCycles(90))
        runner.close()

        let cycles = probe.cycles.load(ordering: .acquiring)
        let failures = cycles / 3
        #expect(failures >= 30)
        #expect(runner.errorCount == failures)
        #expect(runner.lastError as? AgentFailure == AgentFailure(cycle: failures * 3))
        let lines = reported.withLock { $0 }
        #expect(lines.count == failures)
        #expect(lines.first == "counter: failure in cycle 3")
        #expect(probe.closes.load(ordering: .acquiring) == 1)
    }

    @Test("stop, join and close may be repeated")
    func repeatedStopAndJoin() throws {
        let probe = Probe()
        let runner = try AgentRunner(agent: CountingAgent(probe: probe, failEvery: nil))
        runner.stop()
        runner.stop()
        runner.join()
        runner.join()
        runner.close()
        #expect(!runner.isRunning)
        #expect(probe.closes.load(ordering: .acquiring) == 1)
    }
}

/// What a test agent did, readable from the test's thread.
private final class Probe: Sendable {
    let cycles = Atomic<Int>(0)
    let work = Atomic<Int>(0)
    let closes = Atomic<Int>(0)
    let closedAfterCycles = Atomic<Int>(-1)
    let ranOnCallerThread = Atomic<Bool>(false)
    let callerThread = pthread_self()

    /// Waits (yielding) until the agent has run `count` cycles; false if that took over 30 s.
    func waitForCycles(_ count: Int) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let giveUp = now.tv_sec + 30
        while cycles.load(ordering: .acquiring) < count {
            clock_gettime(CLOCK_MONOTONIC, &now)
            if now.tv_sec > giveUp { return false }
            sched_yield()
        }
        return true
    }
}

/// The error the test agent throws.
private struct AgentFailure: Error, Equatable, CustomStringConvertible {
    let cycle: Int
    var description: String { "failure in cycle \(cycle)" }
}

/// An agent that counts its cycles, reports one unit of work on odd cycles, and throws on
/// every `failEvery`-th cycle.
private struct CountingAgent: Agent {
    let probe: Probe
    let failEvery: Int?
    private var cycle = 0

    init(probe: Probe, failEvery: Int?) {
        self.probe = probe
        self.failEvery = failEvery
    }

    var roleName: String { "counter" }

    mutating func doWork() throws -> Int {
        cycle += 1
        if pthread_equal(pthread_self(), probe.callerThread) != 0 {
            probe.ranOnCallerThread.store(true, ordering: .releasing)
        }
        defer { probe.cycles.store(cycle, ordering: .releasing) }
        if let failEvery, cycle % failEvery == 0 { throw AgentFailure(cycle: cycle) }
        let work = cycle % 2
        probe.work.wrappingAdd(work, ordering: .relaxed)
        return work
    }

    mutating func onClose() {
        probe.closes.wrappingAdd(1, ordering: .relaxed)
        probe.closedAfterCycles.store(cycle, ordering: .releasing)
    }
}
