import Synchronization

/// Room reserved in a ring by ``RecordRing/tryClaim(type:length:)``, filled in place and then
/// committed (the consumer sees it) or aborted (it becomes padding the consumer skips).
/// It cannot be copied, and it is finished exactly once: dropping an unfinished claim aborts
/// it. While it lives it keeps the segment's memory mapped.
@frozen
public struct RingClaim: ~Copyable {
    @usableFromInline let mapping: Unmanaged<SegmentMapping>
    /// The record (header first) in the ring's buffer.
    @usableFromInline let record: UnsafeMutableRawPointer
    /// Header plus payload bytes.
    @usableFromInline let recordLength: Int

    @inlinable
    init(mapping: SegmentMapping, record: UnsafeMutableRawPointer, recordLength: Int) {
        self.mapping = .passRetained(mapping)
        self.record = record
        self.recordLength = recordLength
    }

    /// Bytes of payload claimed.
    @inlinable
    public var length: Int { recordLength &- RingLayout.recordHeaderLength }

    /// Runs `body` over the claimed payload, to be written in place. The pointer is valid only
    /// during the call.
    @inlinable
    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: record + RingLayout.recordHeaderLength, count: length))
    }

    /// Publishes the message to the consumer.
    @inlinable
    public consuming func commit() {
        finish(asPadding: false)
        discard self
    }

    /// Gives the room up: the record becomes padding, which the consumer skips.
    @inlinable
    public consuming func abort() {
        finish(asPadding: true)
        discard self
    }

    /// Stores the final length (and the padding type when aborting) with release ordering,
    /// then lets go of the mapping.
    @inlinable
    func finish(asPadding: Bool) {
        if asPadding {
            record.storeBytes(of: RingLayout.paddingType, toByteOffset: 4, as: Int32.self)
        }
        record.assumingMemoryBound(to: Atomic<Int32>.self).pointee
            .store(Int32(truncatingIfNeeded: recordLength), ordering: .releasing)
        mapping.release()
    }

    deinit {
        finish(asPadding: true)
    }
}
