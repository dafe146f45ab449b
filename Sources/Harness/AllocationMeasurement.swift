import Posix

/// One allocation measurement in the manner of swift-nio's allocation benchmarks: a warm-up
/// run thrown away (first use instantiates generic metadata and fills caches, once per
/// process), then `runs` runs each counted on this thread, and the process's open file
/// descriptors counted before the first counted run and after the last (a leaked socket or
/// file shows up there).
///
/// ```swift
/// let measured = try AllocationMeasurement(runs: 1_000) { try encodeOneFrame() }
/// #expect(measured.total.mallocs == 0)
/// #expect(measured.leakedFileDescriptors == 0)
/// ```
public struct AllocationMeasurement: Sendable {
    /// The counts of each counted run, in order.
    public let runs: [AllocationCounts]
    /// Open file descriptors of the process before the first counted run.
    public let fileDescriptorsBefore: Int
    /// Open file descriptors of the process after the last counted run.
    public let fileDescriptorsAfter: Int

    /// Runs `body` once to warm up (unless `warmUp` is false), then `runs` times, counting
    /// each run. Throws what `body` throws, or a failure to list `/proc/self/fd`.
    public init(warmUp: Bool = true, runs: Int = 1, _ body: () throws -> Void) throws {
        precondition(runs >= 1, "an allocation measurement needs at least one run")
        if warmUp { try body() }
        var counted: [AllocationCounts] = []
        counted.reserveCapacity(runs)
        fileDescriptorsBefore = try Self.openFileDescriptors()
        for _ in 0 ..< runs {
            let before = AllocationCounts.current
            try body()
            let after = AllocationCounts.current
            counted.append(after - before)
        }
        fileDescriptorsAfter = try Self.openFileDescriptors()
        self.runs = counted
    }

    /// The counts of every counted run added up.
    public var total: AllocationCounts { runs.reduce(.zero, +) }

    /// The run with the fewest allocations (swift-nio reports this one: the others may
    /// include one-off work).
    public var fewest: AllocationCounts { runs.min { $0.mallocs < $1.mallocs } ?? .zero }

    /// Allocations not freed, over all counted runs (negative when the runs freed blocks
    /// allocated before them).
    public var remainingAllocations: Int64 { Int64(bitPattern: total.mallocs &- total.frees) }

    /// Descriptors opened and not closed over the counted runs.
    public var leakedFileDescriptors: Int { fileDescriptorsAfter - fileDescriptorsBefore }

    /// How many file descriptors this process has open now (the entries of `/proc/self/fd`,
    /// less the one that lists them).
    public static func openFileDescriptors() throws(SystemCallError) -> Int {
        try Sys.directoryEntries("/proc/self/fd").count - 1
    }
}
