import SeededRandom
import CRingside
import Glibc
import Synchronization
import Testing
import DrainLoop

@Suite("SerialDrain")
struct SerialDrainTests {
    @Test("a lone signal drains once and releases the drain")
    func loneSignal() {
        let drain = SerialDrain()
        var passes = 0
        var drainingInside = false
        let drained = drain.signal {
            passes += 1
            drainingInside = drain.isDraining
        }
        #expect(drained)
        #expect(passes == 1)
        #expect(drainingInside)
        #expect(!drain.isDraining)
    }

    @Test("a signal that arrives during a drain is not lost: the drainer runs another pass")
    func signalDuringDrain() {
        let drain = SerialDrain()
        var passes = 0
        var nestedDrained: [Bool] = []
        drain.signal {
            passes += 1
            if passes <= 2 {
                nestedDrained.append(drain.signal { Issue.record("a second drainer ran") })
            }
        }
        #expect(passes == 3)
        #expect(nestedDrained == [false, false])
        #expect(!drain.isDraining)
    }

    @Test("many threads signalling at random: every unit done exactly once, no signal lost, never two drainers")
    func stress() throws {
        let threads = 8
        let rounds = 5_000
        let unitsPerRound = 1
        let total = threads * rounds * unitsPerRound
        let drain = SerialDrain()
        let produced = Atomic<Int>(0)
        let inDrain = Atomic<Bool>(false)
        let overlaps = Atomic<Int>(0)
        let drainers = Atomic<Int>(0)
        let lostRounds = Atomic<Int>(0)
        let barrier = SpinBarrier(parties: threads)
        // Touched only inside drain passes (and by the checker while no one signals): the
        // drain's ordering alone protects it, which the thread sanitizer run checks.
        let ledger = Ledger(units: total)

        try concurrently(threads) { index in
            var random = SplitMix64(seed: UInt64(index + 1))
            var passage = 0
            for _ in 0..<rounds {
                for _ in 0..<unitsPerRound {
                    produced.wrappingAdd(1, ordering: .releasing)
                    let drained = drain.signal {
                        if inDrain.exchange(true, ordering: .acquiringAndReleasing) {
                            overlaps.wrappingAdd(1, ordering: .relaxed)
                        }
                        let available = produced.load(ordering: .acquiring)
                        while ledger.consumed < available {
                            ledger.done[ledger.consumed] &+= 1
                            ledger.consumed += 1
                        }
                        for _ in 0..<Int.random(in: 0..<64, using: &random) { ringside_cpu_relax() }
                        inDrain.store(false, ordering: .releasing)
                    }
                    if drained { drainers.wrappingAdd(1, ordering: .relaxed) }
                    switch Int.random(in: 0..<16, using: &random) {
                    case 0: sched_yield()
                    case 1...4: for _ in 0..<Int.random(in: 0..<256, using: &random) { ringside_cpu_relax() }
                    default: break
                    }
                }
                // Every signal of this round has returned, so its unit must have been done:
                // a signal lost at the end of a round would leave work behind until the next.
                barrier.wait(&passage)
                if index == 0 {
                    if drain.isDraining || ledger.consumed != produced.load(ordering: .acquiring) {
                        lostRounds.wrappingAdd(1, ordering: .relaxed)
                    }
                }
                barrier.wait(&passage)
            }
        }

        #expect(overlaps.load(ordering: .relaxed) == 0)
        #expect(lostRounds.load(ordering: .relaxed) == 0)
        #expect(drainers.load(ordering: .relaxed) >= rounds)
        #expect(!drain.isDraining)
        #expect(ledger.consumed == total)
        #expect(ledger.done.allSatisfy { $0 == 1 })
    }
}

/// The drained units: how many times each was done, and how far the drainers have got.
private final class Ledger: @unchecked Sendable {
    var done: [UInt8]
    var consumed = 0

    init(units: Int) { done = Array(repeating: 0, count: units) }
}
