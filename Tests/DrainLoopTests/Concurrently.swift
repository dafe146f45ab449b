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
