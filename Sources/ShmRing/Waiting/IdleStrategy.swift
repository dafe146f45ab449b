import CRingside
import Glibc

/// What a polling loop does between polls (Agrona's idle strategies): the loop reports how
/// much work its last poll did, and the strategy idles only when it did none.
///
/// ```swift
/// var idle = BackoffIdleStrategy()
/// while running { idle.idle(try ring.read { type, payload in handle(type, payload) }) }
/// ```
public protocol IdleStrategy {
    /// Idles (or not) after a poll that did `workCount` units of work.
    mutating func idle(_ workCount: Int)
    /// Forgets any escalation, as after work was done.
    mutating func reset()
}

/// Spins on the CPU with a pause hint: the lowest latency, one core fully used.
public struct BusySpinIdleStrategy: IdleStrategy, Sendable {
    /// A busy-spin strategy.
    public init() {}

    /// Issues a spin-loop hint when there was no work.
    @inlinable
    public mutating func idle(_ workCount: Int) {
        if workCount == 0 { ringside_cpu_relax() }
    }

    /// Nothing to reset.
    @inlinable
    public mutating func reset() {}
}

/// Yields the CPU to other threads when there was no work (`sched_yield`).
public struct YieldingIdleStrategy: IdleStrategy, Sendable {
    /// A yielding strategy.
    public init() {}

    /// Yields when there was no work.
    public mutating func idle(_ workCount: Int) {
        if workCount == 0 { sched_yield() }
    }

    /// Nothing to reset.
    public mutating func reset() {}
}

/// Spins, then yields, then parks for a time that doubles up to a cap; any work resets it.
public struct BackoffIdleStrategy: IdleStrategy, Sendable {
    /// Idle polls spent spinning before yielding.
    public let maxSpins: Int
    /// Idle polls spent yielding before parking.
    public let maxYields: Int
    /// The first park, in nanoseconds.
    public let minParkNanoseconds: Int
    /// The longest park, in nanoseconds.
    public let maxParkNanoseconds: Int
    /// Idle polls spun since the last work.
    private(set) var spins = 0
    /// Idle polls yielded since the spinning ended.
    private(set) var yields = 0
    /// The next park, in nanoseconds.
    private(set) var parkNanoseconds: Int

    /// A backoff strategy; negative counts are taken as zero and a `maxPark` below `minPark`
    /// as `minPark`.
    public init(maxSpins: Int = 100, maxYields: Int = 10,
                minPark: Duration = .microseconds(1), maxPark: Duration = .milliseconds(1)) {
        self.maxSpins = max(0, maxSpins)
        self.maxYields = max(0, maxYields)
        let minimum = max(1, BackoffIdleStrategy.nanoseconds(minPark))
        self.minParkNanoseconds = minimum
        self.maxParkNanoseconds = max(minimum, BackoffIdleStrategy.nanoseconds(maxPark))
        self.parkNanoseconds = minimum
    }

    /// Resets after work; otherwise takes the next step: spin, yield, or park (doubling).
    public mutating func idle(_ workCount: Int) {
        if workCount > 0 {
            reset()
        } else if spins < maxSpins {
            spins += 1
            ringside_cpu_relax()
        } else if yields < maxYields {
            yields += 1
            sched_yield()
        } else {
            var request = timespec(tv_sec: parkNanoseconds / 1_000_000_000, tv_nsec: parkNanoseconds % 1_000_000_000)
            _ = nanosleep(&request, nil)
            parkNanoseconds = min(parkNanoseconds * 2, maxParkNanoseconds)
        }
    }

    /// Back to spinning, with the shortest park next time.
    public mutating func reset() {
        spins = 0
        yields = 0
        parkNanoseconds = minParkNanoseconds
    }

    /// Whole nanoseconds in `duration` (clamped to zero and to about 292 years).
    private static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        guard seconds < Int64(Int.max / 1_000_000_000) else { return Int.max }
        return Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    }
}
