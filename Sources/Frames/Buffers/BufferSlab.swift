/// The storage behind both pool variants: `capacity` buffers of `bufferSize` bytes in one
/// 64-byte-aligned allocation, a stack of free buffer indices, and the counters. Not
/// thread-safe: `BufferPool` keeps it on one thread, `SharedBufferPool` behind a mutex.
struct BufferSlab: ~Copyable {
    /// Cache-line alignment of every buffer.
    static let alignment = 64

    let bufferSize: Int
    let capacity: Int
    private let stride: Int
    private let storage: UnsafeMutableRawPointer
    private let free: UnsafeMutablePointer<Int32>
    private var freeCount: Int
    private(set) var counters = BufferPoolCounters()

    /// `capacity` buffers of `bufferSize` bytes each (both at least 1, capacity below 2^31).
    init(bufferSize: Int, capacity: Int) {
        precondition(bufferSize > 0 && capacity > 0 && capacity <= Int(Int32.max), "a pool needs at least one buffer of at least one byte")
        self.bufferSize = bufferSize
        self.capacity = capacity
        stride = (bufferSize + Self.alignment - 1) / Self.alignment * Self.alignment
        storage = .allocate(byteCount: stride * capacity, alignment: Self.alignment)
        free = .allocate(capacity: capacity)
        for index in 0..<capacity { free[index] = Int32(capacity - 1 - index) }
        freeCount = capacity
    }

    deinit {
        storage.deallocate()
        free.deallocate()
    }

    /// A free buffer, or a one-off allocation (a miss) when none is free.
    mutating func take() -> BufferSlot {
        counters.leases += 1
        counters.outstanding += 1
        counters.highWaterMark = max(counters.highWaterMark, counters.outstanding)
        guard freeCount > 0 else {
            counters.misses += 1
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: Self.alignment)
            return BufferSlot(bytes: bytes, index: -1)
        }
        freeCount -= 1
        let index = free[freeCount]
        return BufferSlot(bytes: UnsafeMutableRawBufferPointer(start: storage + Int(index) * stride, count: bufferSize), index: index)
    }

    /// Takes back a buffer from `take()`: onto the free stack, or freed if it was a miss.
    mutating func giveBack(_ slot: BufferSlot) {
        counters.returns += 1
        counters.outstanding -= 1
        if slot.index < 0 {
            slot.bytes.deallocate()
        } else {
            free[freeCount] = slot.index
            freeCount += 1
        }
    }
}

/// A leased buffer and where it came from; only a pool makes one.
@frozen
public struct BufferSlot {
    /// The buffer's bytes.
    @usableFromInline let bytes: UnsafeMutableRawBufferPointer
    /// Its index in the pool, or -1 for a one-off allocation.
    @usableFromInline let index: Int32

    init(bytes: UnsafeMutableRawBufferPointer, index: Int32) {
        self.bytes = bytes
        self.index = index
    }
}

// A slot names memory that exactly one lease owns (the lease is non-copyable), so moving it
// to another thread moves that ownership; the pool's free list is behind its own lock.
extension BufferSlot: @unchecked Sendable {}
