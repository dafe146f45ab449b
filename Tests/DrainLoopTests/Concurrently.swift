import Glibc
import Synchronization
@testable import DrainLoop

/// Runs `body(index)` on `threads` new threads at once and returns when all have finished.
func concurrently(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
    var started: [PosixThread] = []
    for index in 0..<threads {
        started.append(try PosixThread.spawn { body(index) })
    }
    for thread in started { thread.join() }
}

/// A small fast generator (SplitMix64) so each test thread has its own random sequence.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A reusable barrier for test threads: each call waits until every party has made as many
/// calls as the caller (yielding while it waits).
final class SpinBarrier: Sendable {
    private let parties: Int
    private let arrivals = Atomic<Int>(0)

    init(parties: Int) { self.parties = parties }

    /// Waits for the others; `passage` is the caller's own count of calls, updated here.
    func wait(_ passage: inout Int) {
        passage += 1
        arrivals.wrappingAdd(1, ordering: .acquiringAndReleasing)
        while arrivals.load(ordering: .acquiring) < passage * parties { sched_yield() }
    }
}
