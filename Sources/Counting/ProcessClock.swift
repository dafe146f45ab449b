import Glibc

/// The two clocks a counting run reads: wall time and the CPU time of every thread of the
/// process, both in nanoseconds.
enum ProcessClock {
    /// Monotonic wall-clock time.
    static func wallNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// CPU time consumed so far by all threads of this process (user and system).
    static func cpuNanoseconds() -> UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}
