/// A pool of fixed-size byte buffers for one owner thread: `lease()` hands out a buffer for
/// a frame writer to fill, and the lease gives it back when it ends. No locks, no atomics
/// beyond reference counting; in steady state nothing is allocated.
///
/// When every buffer is out, `lease()` still succeeds with a one-off allocation (counted in
/// `counters.misses`), freed when returned. Use `SharedBufferPool` to hand buffers between
/// threads.
public final class BufferPool: BufferRecycling {
    /// The slab, out of line: a class's stored `var` would cost a dynamic exclusivity check
    /// on every lease and return, and this pool is single-threaded by construction.
    private let slab: UnsafeMutablePointer<BufferSlab>

    /// A pool of `capacity` buffers of `bufferSize` bytes (each 64-byte aligned).
    public init(bufferSize: Int, capacity: Int) {
        slab = .allocate(capacity: 1)
        slab.initialize(to: BufferSlab(bufferSize: bufferSize, capacity: capacity))
    }

    deinit {
        slab.deinitialize(count: 1)
        slab.deallocate()
    }

    /// The size of every buffer.
    public var bufferSize: Int { slab.pointee.bufferSize }

    /// The number of buffers the pool owns.
    public var capacity: Int { slab.pointee.capacity }

    /// Leases, returns, misses, outstanding leases and the high-water mark so far.
    public var counters: BufferPoolCounters { slab.pointee.counters }

    /// Leases a buffer: one of the pool's, or a one-off allocation if all are out.
    public func lease() -> BufferLease<BufferPool> {
        BufferLease(pool: self, slot: slab.pointee.take())
    }

    /// Takes back a lease's buffer (called by `BufferLease`).
    public func recycle(_ slot: BufferSlot) {
        slab.pointee.giveBack(slot)
    }
}
