import Glibc

extension Sys {
    /// Nanoseconds on `CLOCK_MONOTONIC`: one time base for every process on the machine, so a
    /// heartbeat stored in shared memory by one process can be aged by another. Served by the
    /// vDSO (no system call); it cannot fail on Linux for this clock.
    @inlinable
    public static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }
}
