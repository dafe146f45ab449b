import Synchronization

/// What ``OneToOneRing`` and ``ManyToOneRing`` share: a ring of variable-length records in
/// a region of a ``SharedMemorySegment`` (layout in ``RingLayout``), its consumer side
/// (``read(limit:_:)``, ``controlledRead(limit:_:)``), its producer side (``write(type:bytes:)``,
/// ``tryClaim(type:length:)``) and its trailer counters. The two subclasses differ in how
/// producers claim space: one producer moves the tail with a store, many with a CAS.
///
/// Everything read from shared memory is checked before use: positions against each other
/// and the capacity, record lengths against the room left in the buffer, types against the
/// reserved values. An impossible value throws ``RingError/corrupt(_:)`` and poisons the
/// ring object: every later call throws the same error, and nothing outside the buffer is
/// ever touched.
///
/// The ring object is safe to share between threads (its state is atomics and immutable
/// pointers), but the protocol is the caller's: one consumer at a time, and for a
/// ``OneToOneRing`` one producer at a time.
public class RecordRing: @unchecked Sendable {
    /// Keeps the segment's memory mapped while the ring lives.
    @usableFromInline let mapping: SegmentMapping
    /// First byte of the record buffer.
    @usableFromInline let buffer: UnsafeMutableRawPointer
    /// Bytes of record space (a power of two).
    public let capacity: Int
    /// `capacity - 1`.
    @usableFromInline let mask: Int
    /// The longest payload accepted, in bytes.
    public let maxMessageLength: Int
    /// Whether producers claim with a CAS on the tail (``ManyToOneRing``).
    @usableFromInline let manyProducers: Bool
    /// How far ahead of each claim a producer prefetches for writing (``prefetchDistance``,
    /// or 0 in a ring too small for it to stay clear of the consumer).
    @usableFromInline let prefetchOffset: Int
    @usableFromInline let tailPosition: UnsafeMutablePointer<Atomic<Int64>>
    @usableFromInline let headCachePosition: UnsafeMutablePointer<Atomic<Int64>>
    @usableFromInline let headPosition: UnsafeMutablePointer<Atomic<Int64>>
    private let correlationCounter: UnsafeMutablePointer<Atomic<Int64>>
    private let heartbeat: UnsafeMutablePointer<Atomic<Int64>>
    /// Set once corruption is found; checked on entry to every read and write.
    @usableFromInline let poisoned = Atomic<Bool>(false)
    /// The first corruption found, repeated by every later call.
    private let corruption = Mutex<RingCorruption?>(nil)

    /// Lays a ring over region `region` of `segment`, whose size must be a power-of-two
    /// capacity plus ``RingLayout/trailerLength``. A new segment's zeroed region is an empty
    /// ring; an existing ring is joined where it stands.
    init(segment: borrowing SharedMemorySegment, region: Int, manyProducers: Bool) throws(RingError) {
        guard let (mapping, start, length) = segment.region(region) else {
            throw .invalidRegion("segment '\(segment.name)' has no region \(region) (it has \(segment.regions.count))")
        }
        let capacity = length - RingLayout.trailerLength
        guard capacity >= RingLayout.minimumCapacity, capacity <= RingLayout.maximumCapacity,
              capacity & (capacity - 1) == 0 else {
            throw .invalidRegion(
                "region \(region) of \(length) bytes is not a power-of-two capacity "
                    + "(\(RingLayout.minimumCapacity) to \(RingLayout.maximumCapacity)) plus the \(RingLayout.trailerLength)-byte trailer")
        }
        guard Int(bitPattern: start) % RingLayout.trailerLineLength == 0 else {
            throw .invalidRegion("region \(region) is not aligned to \(RingLayout.trailerLineLength) bytes")
        }
        func counter(_ offset: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
            (start + capacity + offset).assumingMemoryBound(to: Atomic<Int64>.self)
        }
        self.mapping = mapping
        self.buffer = start
        self.capacity = capacity
        self.mask = capacity - 1
        self.maxMessageLength = RingLayout.maxMessageLength(capacity: capacity)
        self.manyProducers = manyProducers
        self.prefetchOffset = capacity >= 16 * Self.prefetchDistance ? Self.prefetchDistance : 0
        self.tailPosition = counter(RingLayout.tailOffset)
        self.headCachePosition = counter(RingLayout.headCacheOffset)
        self.headPosition = counter(RingLayout.headOffset)
        self.correlationCounter = counter(RingLayout.correlationOffset)
        self.heartbeat = counter(RingLayout.heartbeatOffset)
    }

    /// Bytes a producer prefetches ahead of each record it claims (8 cache lines): the lines
    /// it will fill next were last written by the consumer (zeroing what it consumed, a lap
    /// ago), so each must come back from the consumer's core. Asked for early, that transfer
    /// overlaps the frames before it instead of stalling the next locked instruction (a
    /// refcount, a mutex), which has to wait for every store before it to reach the cache.
    public static let prefetchDistance = 512

    /// Bytes ever claimed by producers (the tail position).
    public final var producerPosition: Int64 { tailPosition.pointee.load(ordering: .acquiring) }

    /// Bytes ever consumed (the head position).
    public final var consumerPosition: Int64 { headPosition.pointee.load(ordering: .acquiring) }

    /// Bytes claimed and not yet consumed (padding included).
    public final var occupiedBytes: Int {
        Int(truncatingIfNeeded: producerPosition &- consumerPosition)
    }

    /// A fresh id from the ring's shared correlation counter (unique across processes).
    public final func nextCorrelationId() -> Int64 {
        correlationCounter.pointee.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// The consumer heartbeat: a time the consumer stores to show it is alive.
    public final var consumerHeartbeat: Int64 {
        get { heartbeat.pointee.load(ordering: .acquiring) }
        set { heartbeat.pointee.store(newValue, ordering: .releasing) }
    }

    /// The length word of the record at byte `index`, accessed atomically.
    @inlinable
    @inline(__always)
    final func lengthWord(_ index: Int) -> UnsafeMutablePointer<Atomic<Int32>> {
        (buffer + index).assumingMemoryBound(to: Atomic<Int32>.self)
    }

    /// Writes a padding record of `length` bytes at `index` (type first, then the length
    /// with release ordering).
    @inlinable
    final func writePadding(at index: Int, length: Int) {
        buffer.storeBytes(of: RingLayout.paddingType, toByteOffset: index &+ 4, as: Int32.self)
        lengthWord(index).pointee.store(Int32(truncatingIfNeeded: length), ordering: .releasing)
    }

    /// Records `problem` (the first one found sticks), poisons the ring, and returns the error
    /// to throw.
    @usableFromInline
    final func poison(_ problem: RingCorruption) -> RingError {
        let first = corruption.withLock { stored in
            if stored == nil { stored = problem }
            return stored ?? problem
        }
        poisoned.store(true, ordering: .releasing)
        return .corrupt(first)
    }

    /// The error of a ring already poisoned.
    @usableFromInline
    final func poisonedError() -> RingError {
        corruption.withLock { stored in .corrupt(stored ?? RingCorruption(.head, at: 0, value: 0)) }
    }
}
