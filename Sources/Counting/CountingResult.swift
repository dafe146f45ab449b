/// What one counting run measured.
public struct CountingResult: Sendable, Codable, Equatable {
    /// How it counted.
    public let mode: CountingMode
    /// How many threads counted.
    public let threads: Int
    /// The count it was asked to reach.
    public let target: UInt64
    /// Increments that counted towards the target: the target itself, or fewer when the time
    /// budget ran out.
    public let counted: UInt64
    /// The shared counter's final value (the local count in the one-thread register modes).
    /// It equals `counted`, except in the atomic and contended modes, where each thread's
    /// last add (the one that saw the target already reached) overshoots by one.
    public let finalCounter: UInt64
    /// Wall-clock time from the first thread starting to count to the last one finishing.
    public let wallSeconds: Double
    /// CPU time all threads of the process used over the same interval.
    public let cpuSeconds: Double
    /// The time budget the run had.
    public let budgetSeconds: Double
    /// Increments counted by each thread, by thread index.
    public let perThread: [UInt64]
    /// Drain passes run (the single-writer mode's batches; 0 in the other modes).
    public let drains: UInt64

    /// Whether the budget ran out before the target was reached, so that the full time is an
    /// estimate from the rate reached.
    public var extrapolated: Bool { counted < target }

    /// Wall time per increment counted, in nanoseconds.
    public var nanosecondsPerIncrement: Double { wallSeconds * 1e9 / Double(max(counted, 1)) }

    /// The time the full target took, or would take at the rate reached when extrapolated.
    public var estimatedSeconds: Double {
        extrapolated ? wallSeconds * Double(target) / Double(max(counted, 1)) : wallSeconds
    }

    /// CPU time over wall time: 1.0 is one core busy; 2.0 on two cores is everything busy.
    public var cpuOverWall: Double { wallSeconds > 0 ? cpuSeconds / wallSeconds : 0 }
}
