import Posix

/// The time base of the shared-memory carrier: `CLOCK_MONOTONIC` nanoseconds, the same in
/// every process, so heartbeats stored by one process can be aged by another.
enum SharedMemoryClock {
    /// Now, in nanoseconds (vDSO: no system call).
    @inline(__always)
    static func now() -> Int64 { Sys.monotonicNanoseconds() }

    /// Whole nanoseconds in `duration`, clamped to 0...Int64.max.
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        guard seconds < Int64.max / 1_000_000_000 - 1 else { return .max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
