import CRingside

/// Storage for one shared value alone on a 128-byte aligned block (the package's
/// `RINGSIDE_CACHE_LINE_PADDING`): two 64-byte cache lines, the unit the adjacent-line
/// prefetcher moves, so no other word that some thread writes can share its line (false
/// sharing) and a read-mostly word is never reloaded because a neighbour was written.
/// `package`: the counting kernels (module Counting) isolate their counters with it.
///
/// Swift gives a class's stored properties no alignment control; this box allocates the
/// block itself and hands out the value in place, which suits `Atomic` and `Mutex` (they
/// must never move).
package final class CacheLineIsolated<Value: ~Copyable> {
    /// The block's size and alignment in bytes.
    static var blockSize: Int { Int(RINGSIDE_CACHE_LINE_PADDING) }

    private let storage: UnsafeMutablePointer<Value>

    /// Moves `value` into a freshly allocated block of its own.
    package init(_ value: consuming Value) {
        let size = max(MemoryLayout<Value>.size, 1)
        let blocks = (size + Self.blockSize - 1) / Self.blockSize
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: blocks * Self.blockSize, alignment: max(Self.blockSize, MemoryLayout<Value>.alignment))
        storage = raw.bindMemory(to: Value.self, capacity: 1)
        storage.initialize(to: value)
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    /// The value, borrowed in place.
    package var value: Value {
        unsafeAddress { UnsafePointer(storage) }
    }
}

// The box only hands out borrows of a value that is itself safe to share.
extension CacheLineIsolated: @unchecked Sendable where Value: Sendable & ~Copyable {}
