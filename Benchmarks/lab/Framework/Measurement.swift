import Glibc
import Harness

/// One measured run of a case's loop on this thread, the lab's single way to time work:
/// a warm-up thrown away (none unless given), then the loop timed on the lab clock
/// (``monotonicNanos()``) with its heap activity counted by the Harness primitive
/// (``AllocationCounts``). Suites repeat it ``SuiteContext/runs`` times through
/// ``SuiteContext/repetitions(_:detail:)`` and record the figures they need from it.
struct Measurement {
    /// Operations the timed loop did.
    let operations: Int
    /// Nanoseconds the timed loop took.
    let nanoseconds: Int64
    /// Allocations (and frees, bytes) the timed loop made on this thread.
    let allocations: AllocationCounts

    /// Runs `warmUp` (not timed, not counted), then `body`, which returns how many operations
    /// it did, timed and counted.
    static func run(warmUp: () throws -> Void = {}, _ body: () throws -> Int) rethrows -> Measurement {
        try warmUp()
        let start = monotonicNanos()
        let (operations, allocations) = try AllocationCounts.counting(body)
        let end = monotonicNanos()
        return Measurement(operations: operations, nanoseconds: end - start, allocations: allocations)
    }

    /// The timed loop's duration in seconds.
    var seconds: Double { Double(nanoseconds) / 1e9 }
    /// Operations per second.
    var operationsPerSecond: Double { Double(operations) / seconds }
    /// Nanoseconds per operation.
    var nanosecondsPerOperation: Double { Double(nanoseconds) / Double(operations) }
    /// Allocations per operation.
    var allocationsPerOperation: Double { Double(allocations.mallocs) / Double(operations) }
}

/// The lab clock: CLOCK_MONOTONIC in nanoseconds (the clock the C references use), read by
/// ``Measurement`` in this process and by the peers of multi-process cases.
@inline(__always)
func monotonicNanos() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
}
