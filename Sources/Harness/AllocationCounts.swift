import CAllocCounter

/// Heap activity on one thread, as the `CAllocCounter` malloc interposer counts it: every
/// malloc, calloc, realloc and aligned allocation, every free of a block (a realloc of an
/// existing block counts as one of each), and the bytes asked for.
public struct AllocationCounts: Sendable, Hashable, CustomStringConvertible {
    /// Allocations made.
    public var mallocs: UInt64
    /// Blocks freed.
    public var frees: UInt64
    /// Bytes asked for by the allocations.
    public var bytes: UInt64

    /// Counts as given.
    public init(mallocs: UInt64 = 0, frees: UInt64 = 0, bytes: UInt64 = 0) {
        self.mallocs = mallocs
        self.frees = frees
        self.bytes = bytes
    }

    /// Nothing allocated, nothing freed.
    public static let zero = AllocationCounts()

    /// The calling thread's counts since it started.
    public static var current: AllocationCounts {
        AllocationCounts(
            mallocs: ringside_thread_allocations(), frees: ringside_thread_frees(), bytes: ringside_thread_allocated_bytes())
    }

    /// Whether this build counts at all: false in a sanitizer build, whose allocator owns
    /// malloc (every count then stays zero, and allocation tests are skipped).
    public static var areCounted: Bool { ringside_alloc_counter_interposes() != 0 }

    /// Runs `body` and returns its result with the allocations it made on this thread.
    public static func counting<Result>(_ body: () throws -> Result) rethrows -> (result: Result, counts: AllocationCounts) {
        let before = current
        let result = try body()
        return (result, current - before)
    }

    /// The difference of two readings.
    public static func - (later: AllocationCounts, earlier: AllocationCounts) -> AllocationCounts {
        AllocationCounts(mallocs: later.mallocs &- earlier.mallocs, frees: later.frees &- earlier.frees, bytes: later.bytes &- earlier.bytes)
    }

    /// The sum of two counts.
    public static func + (left: AllocationCounts, right: AllocationCounts) -> AllocationCounts {
        AllocationCounts(mallocs: left.mallocs &+ right.mallocs, frees: left.frees &+ right.frees, bytes: left.bytes &+ right.bytes)
    }

    /// `3 mallocs, 2 frees, 96 bytes`.
    public var description: String { "\(mallocs) mallocs, \(frees) frees, \(bytes) bytes" }
}
