import CAllocCounter

/// Counts heap allocations on the calling thread through the lab's malloc interposer
/// (the `CAllocCounter` target): every malloc, calloc, realloc and aligned allocation.
enum AllocationCounter {
    /// Runs `body` and returns its result with the number of allocations it made on this thread.
    static func counting<T>(_ body: () throws -> T) rethrows -> (result: T, allocations: UInt64) {
        let before = ringside_thread_allocations()
        let result = try body()
        return (result, ringside_thread_allocations() - before)
    }
}
