import Testing
@testable import ShmRing

@Suite("Idle strategies")
struct IdleStrategyTests {
    @Test("backoff spins, then yields, then parks doubling to the cap; work resets it")
    func backoff() {
        var idle = BackoffIdleStrategy(maxSpins: 2, maxYields: 2, minPark: .microseconds(1), maxPark: .microseconds(4))
        idle.idle(0)
        idle.idle(0)
        #expect(idle.spins == 2 && idle.yields == 0)
        idle.idle(0)
        idle.idle(0)
        #expect(idle.yields == 2 && idle.parkNanoseconds == 1000)
        idle.idle(0)
        #expect(idle.parkNanoseconds == 2000)
        idle.idle(0)
        idle.idle(0)
        #expect(idle.parkNanoseconds == 4000)
        idle.idle(3)
        #expect(idle.spins == 0 && idle.yields == 0 && idle.parkNanoseconds == 1000)
    }

    @Test("nonsense settings are clamped, never trapped on")
    func clamped() {
        let idle = BackoffIdleStrategy(maxSpins: -5, maxYields: -1, minPark: .seconds(-1), maxPark: .nanoseconds(0))
        #expect(idle.maxSpins == 0 && idle.maxYields == 0)
        #expect(idle.minParkNanoseconds == 1 && idle.maxParkNanoseconds == 1)
    }
}
