import CRingside
import Synchronization

extension RecordRing {
    /// Copies `bytes` into the ring as one message of `type` (at least 1) and commits it.
    /// Answers ``RingWriteResult/full`` when there is no room now: nothing is written and the
    /// caller decides whether to retry, wait or give up (never a silent drop, never a block).
    @inlinable
    public final func write(type: Int32, bytes: UnsafeRawBufferPointer) throws(RingError) -> RingWriteResult {
        try write(type: type, length: bytes.count) { payload in
            if let source = bytes.baseAddress { payload.baseAddress!.copyMemory(from: source, byteCount: bytes.count) }
        }
    }

    /// Writes one message of `type` (at least 1) whose `length` payload bytes `encode` fills
    /// in place, straight in the ring's buffer (no copy from a buffer of the caller's), and
    /// commits it. `encode` gets exactly `length` bytes, must write them all and must not
    /// touch the ring. Answers ``RingWriteResult/full`` when there is no room now: `encode`
    /// is not called and nothing is written.
    @inlinable @inline(__always)
    public final func write(
        type: Int32, length: Int, _ encode: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(RingError) -> RingWriteResult {
        let recordLength = try checkedRecordLength(type: type, length: length)
        guard let index = try claimCapacity(RingLayout.aligned(recordLength)) else { return .full }
        if manyProducers { markClaimed(at: index, recordLength: recordLength) }
        encode(UnsafeMutableRawBufferPointer(start: buffer + (index &+ RingLayout.recordHeaderLength), count: length))
        buffer.storeBytes(of: type, toByteOffset: index &+ 4, as: Int32.self)
        lengthWord(index).pointee.store(Int32(truncatingIfNeeded: recordLength), ordering: .releasing)
        return .written
    }

    /// Reserves room for a message of `type` with a payload of `length` bytes, for the caller
    /// to fill in place (zero copy), or returns nil when the ring is full. The claim must be
    /// committed or aborted; one dropped unfinished is aborted, so the consumer is never wedged
    /// by this process.
    @inlinable
    public final func tryClaim(type: Int32, length: Int) throws(RingError) -> RingClaim? {
        let recordLength = try checkedRecordLength(type: type, length: length)
        guard let index = try claimCapacity(RingLayout.aligned(recordLength)) else { return nil }
        markClaimed(at: index, recordLength: recordLength)
        buffer.storeBytes(of: type, toByteOffset: index &+ 4, as: Int32.self)
        return RingClaim(mapping: mapping, record: buffer + index, recordLength: recordLength)
    }

    /// Checks a message's type and payload length; returns its record length (header included).
    @inlinable
    @inline(__always)
    final func checkedRecordLength(type: Int32, length: Int) throws(RingError) -> Int {
        if _slowPath(poisoned.load(ordering: .relaxed)) { throw poisonedError() }
        guard type >= 1 else { throw .invalidType(type) }
        guard length >= 0 && length <= maxMessageLength else {
            throw .invalidLength(length: length, maximum: maxMessageLength)
        }
        return length &+ RingLayout.recordHeaderLength
    }

    /// Marks a claimed record in progress: its length, negated, tells the consumer to wait
    /// and tells ``ManyToOneRing/unblock()`` how much to skip should its producer die. The
    /// fence keeps the payload stores after it.
    @inlinable
    @inline(__always)
    final func markClaimed(at index: Int, recordLength: Int) {
        lengthWord(index).pointee.store(Int32(truncatingIfNeeded: -recordLength), ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
    }

    /// Claims `aligned` bytes for a record: moves the tail (a store with one producer, a CAS
    /// with many), prefetches for writing the line ``RecordRing/prefetchDistance`` bytes past
    /// the record, writes the padding record when the record must wrap to the start, and
    /// returns the record's byte index, or nil when the ring is full.
    @inlinable
    @inline(__always)
    final func claimCapacity(_ aligned: Int) throws(RingError) -> Int? {
        var tail = tailPosition.pointee.load(ordering: .relaxed)
        while true {
            // Acquire: with many producers the cache was stored by another producer after its
            // acquire load of the head, and the consumer's zeroing must be visible here too.
            let headCache = headCachePosition.pointee.load(ordering: .acquiring)
            guard let (index, padding) = try place(aligned, tail: tail, headCache: headCache) else { return nil }
            let next = tail &+ Int64(padding &+ aligned)
            if manyProducers {
                let (exchanged, original) = tailPosition.pointee.compareExchange(
                    expected: tail, desired: next, ordering: .acquiringAndReleasing)
                if !exchanged {
                    tail = original
                    continue
                }
            } else {
                tailPosition.pointee.store(next, ordering: .releasing)
            }
            ringside_prefetch_exclusive(buffer + ((index &+ padding &+ prefetchOffset) & mask))
            guard padding == 0 else {
                writePadding(at: index, length: padding)
                return 0
            }
            return index
        }
    }

    /// Where a record of `aligned` bytes goes when the tail is at `tail`: its index and the
    /// padding needed before it (the bytes to the end of the buffer, when it does not fit
    /// there), or nil when the ring has no room. The cached head is trusted only while it
    /// says there is room; otherwise the head is loaded, checked and cached again.
    @inlinable
    @inline(__always)
    final func place(_ aligned: Int, tail: Int64, headCache: Int64) throws(RingError) -> (index: Int, padding: Int)? {
        if _slowPath(tail & Int64(RingLayout.recordAlignment - 1) != 0) {
            throw poison(RingCorruption(.tail, at: tail, value: tail))
        }
        var head = headCache
        if UInt64(bitPattern: tail &- head) > UInt64(capacity &- aligned) {
            head = try refreshHead(tail: tail)
            if tail &- head > Int64(capacity &- aligned) { return nil }
        }
        let tailIndex = Int(truncatingIfNeeded: tail) & mask
        let toEnd = capacity &- tailIndex
        if aligned <= toEnd { return (tailIndex, 0) }
        if aligned > Int(truncatingIfNeeded: head) & mask {
            head = try refreshHead(tail: tail)
            if aligned > Int(truncatingIfNeeded: head) & mask { return nil }
        }
        return (tailIndex, toEnd)
    }

    /// Loads the head (acquire: the consumer zeroed what it freed before publishing it),
    /// checks it against the tail, and stores it in the producers' head cache. With many
    /// producers `tail` may be stale (others moved it on and the consumer followed): the
    /// check then uses the current tail, and the caller's CAS fails and retries.
    @usableFromInline
    final func refreshHead(tail: Int64) throws(RingError) -> Int64 {
        let head = headPosition.pointee.load(ordering: .acquiring)
        var used = tail &- head
        if used < 0 && manyProducers {
            used = tailPosition.pointee.load(ordering: .acquiring) &- head
        }
        guard used >= 0, used <= Int64(capacity), head & Int64(RingLayout.recordAlignment - 1) == 0 else {
            throw poison(RingCorruption(.head, at: head, value: head))
        }
        headCachePosition.pointee.store(head, ordering: .releasing)
        return head
    }
}
