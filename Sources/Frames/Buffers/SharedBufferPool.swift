import Synchronization

/// A pool of fixed-size byte buffers shared by threads: a lease may be filled on one thread
/// and returned on another (its lease is `Sendable`). A mutex guards the free list for the
/// few instructions of a lease or a return; the buffers themselves are never locked.
///
/// Otherwise as `BufferPool`: misses fall back to a one-off allocation, freed on return.
public final class SharedBufferPool: BufferRecycling, Sendable {
    private let slab: Mutex<BufferSlab>

    /// The size of every buffer.
    public let bufferSize: Int

    /// The number of buffers the pool owns.
    public let capacity: Int

    /// A pool of `capacity` buffers of `bufferSize` bytes (each 64-byte aligned).
    public init(bufferSize: Int, capacity: Int) {
        slab = Mutex(BufferSlab(bufferSize: bufferSize, capacity: capacity))
        self.bufferSize = bufferSize
        self.capacity = capacity
    }

    /// Leases, returns, misses, outstanding leases and the high-water mark so far.
    public var counters: BufferPoolCounters { slab.withLock { $0.counters } }

    /// Leases a buffer: one of the pool's, or a one-off allocation if all are out.
    public func lease() -> BufferLease<SharedBufferPool> {
        BufferLease(pool: self, slot: slab.withLock { $0.take() })
    }

    /// Takes back a lease's buffer (called by `BufferLease`, on any thread).
    public func recycle(_ slot: BufferSlot) {
        slab.withLock { $0.giveBack(slot) }
    }
}
