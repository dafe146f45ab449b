/// A ring with one producer and one consumer (Agrona's `OneToOneRingBuffer`): the producer
/// moves the tail with a plain store. Reading, writing and claiming are those of
/// ``RecordRing``; use ``ManyToOneRing`` when several producers share the ring.
///
/// ```swift
/// let ring = try OneToOneRing(segment: segment, region: 0)
/// let result = try bytes.withUnsafeBytes { try ring.write(type: 1, bytes: $0) }
/// try ring.read { type, payload in handle(type, payload) }
/// ```
public final class OneToOneRing: RecordRing, @unchecked Sendable {
    /// Joins (or, in a fresh segment, starts) the ring in region `region` of `segment`.
    public init(segment: borrowing SharedMemorySegment, region: Int) throws(RingError) {
        try super.init(segment: segment, region: region, manyProducers: false)
    }
}
