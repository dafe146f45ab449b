import Posix

/// A point in time for sessions and the server's loop: nanoseconds on `CLOCK_MONOTONIC`.
///
/// One `Int64` in a frozen struct, so that the copies of "now" and of the last frame's time
/// that a session makes on every frame are register moves; `ContinuousClock.Instant` is
/// resilient in the standard library, and each of its copies went through its type's
/// metadata and value witnesses.
///
/// ```swift
/// let opened = SessionInstant.now()
/// let deadline = opened + .seconds(10)
/// if SessionInstant.now() >= deadline { /* too late */ }
/// ```
@frozen
public struct SessionInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the monotonic clock's origin (boot, on Linux).
    public var nanoseconds: Int64

    /// The instant `nanoseconds` after the clock's origin.
    @inlinable
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Now (vDSO: no system call).
    @inlinable
    public static func now() -> SessionInstant { SessionInstant(nanoseconds: Sys.monotonicNanoseconds()) }

    /// The instant `duration` later (saturating; a negative duration counts as none).
    public static func + (instant: SessionInstant, duration: Duration) -> SessionInstant {
        let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(SharedMemoryClock.nanoseconds(duration))
        return SessionInstant(nanoseconds: overflow ? .max : sum)
    }

    /// Moves `instant` `duration` later.
    public static func += (instant: inout SessionInstant, duration: Duration) { instant = instant + duration }

    /// The time from `earlier` to `later` (negative when `later` comes first).
    @inlinable
    public static func - (later: SessionInstant, earlier: SessionInstant) -> Duration {
        .nanoseconds(later.nanoseconds &- earlier.nanoseconds)
    }

    /// Whether `lhs` comes before `rhs`.
    @inlinable
    public static func < (lhs: SessionInstant, rhs: SessionInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The nanoseconds, with the unit.
    public var description: String { "\(nanoseconds) ns" }
}
