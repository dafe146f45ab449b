import Testing
@testable import Transport

@Suite("Session instants")
struct SessionInstantTests {
    @Test("instants add durations in nanoseconds, saturate instead of overflowing, and subtract to durations")
    func arithmetic() {
        let start = SessionInstant(nanoseconds: 1_000)
        #expect((start + .microseconds(3)).nanoseconds == 4_000)
        #expect((start + .seconds(-1)).nanoseconds == 1_000, "a negative duration counts as none")
        #expect((SessionInstant(nanoseconds: .max - 5) + .seconds(1)).nanoseconds == .max)
        #expect((start + .seconds(Int64.max)).nanoseconds == .max)
        #expect(SessionInstant(nanoseconds: 5_000) - start == .microseconds(4))
        #expect(start - SessionInstant(nanoseconds: 5_000) == .microseconds(-4))
        var moving = start
        moving += .milliseconds(2)
        #expect(moving.nanoseconds == 2_001_000)
        #expect(start < moving && !(moving < start))
    }

    @Test("now() follows CLOCK_MONOTONIC and never goes back")
    func now() {
        let first = SessionInstant.now()
        let second = SessionInstant.now()
        #expect(first.nanoseconds > 0)
        #expect(second >= first)
    }
}
