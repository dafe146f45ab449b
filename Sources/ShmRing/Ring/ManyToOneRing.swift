import Synchronization

/// A ring with many producers (threads or processes) and one consumer (Agrona's
/// `ManyToOneRingBuffer`): producers claim space with a CAS on the tail, then fill and
/// commit their record. A producer that dies between claim and commit would stop the
/// consumer at its record; ``unblock()`` (or ``unblockIfStalled(after:)``, on a timer) turns
/// that record into padding so reading goes on.
public final class ManyToOneRing: RecordRing, @unchecked Sendable {
    /// The consumer's view of progress, for ``unblockIfStalled(after:)``.
    private struct Progress {
        var head: Int64
        var since: ContinuousClock.Instant
    }

    private let progress = Mutex(Progress(head: -1, since: .now))

    /// Joins (or, in a fresh segment, starts) the ring in region `region` of `segment`.
    public init(segment: borrowing SharedMemorySegment, region: Int) throws(RingError) {
        try super.init(segment: segment, region: region, manyProducers: true)
    }

    /// Calls ``unblock()`` when the consumer has made no progress for `timeout` while
    /// records are pending; returns whether a record was unblocked. The consumer calls it
    /// when a read returns 0. Choose `timeout` well above the longest time a live producer
    /// may hold a claim: a record unblocked under a producer that later commits is garbled.
    public func unblockIfStalled(after timeout: Duration) throws(RingError) -> Bool {
        let head = consumerPosition
        let pending = producerPosition != head
        let now = ContinuousClock.now
        let stalled = progress.withLock { state in
            guard pending, state.head == head else {
                state = Progress(head: head, since: now)
                return false
            }
            guard now - state.since >= timeout else { return false }
            state.since = now
            return true
        }
        return stalled ? try unblock() : false
    }

    /// Turns the record at the head into padding when its producer has claimed it but not
    /// committed it: a negative length (claimed, being written) becomes padding of that
    /// length; a zero length (space claimed, length not yet written) becomes padding up to
    /// the next record found after it, once the space between is confirmed zero. Returns
    /// whether a record was unblocked. Agrona's semantics: call it only after a timeout.
    public func unblock() throws(RingError) -> Bool {
        if poisoned.load(ordering: .relaxed) { throw poisonedError() }
        let head = headPosition.pointee.load(ordering: .acquiring)
        let tail = tailPosition.pointee.load(ordering: .acquiring)
        let used = tail &- head
        guard used != 0 else { return false }
        let alignment = Int64(RingLayout.recordAlignment - 1)
        guard used > 0, used <= Int64(capacity), head & alignment == 0, tail & alignment == 0 else {
            throw poison(RingCorruption(.tail, at: tail, value: used))
        }
        let consumerIndex = Int(truncatingIfNeeded: head) & mask
        let producerIndex = Int(truncatingIfNeeded: tail) & mask
        let length = Int(lengthWord(consumerIndex).pointee.load(ordering: .acquiring))
        if length < 0 {
            let room = min(capacity - consumerIndex, Int(used))
            guard RingLayout.recordHeaderLength <= -length, RingLayout.aligned(-length) <= room else {
                throw poison(RingCorruption(.recordLength, at: Int64(consumerIndex), value: Int64(length)))
            }
            writePadding(at: consumerIndex, length: -length)
            return true
        }
        guard length == 0 else { return false }
        let limit = producerIndex > consumerIndex ? producerIndex : capacity
        var index = consumerIndex + RingLayout.recordAlignment
        while index < limit {
            if lengthWord(index).pointee.load(ordering: .acquiring) != 0 {
                guard isZero(from: consumerIndex, to: index) else { return false }
                writePadding(at: consumerIndex, length: index - consumerIndex)
                return true
            }
            index += RingLayout.recordAlignment
        }
        return false
    }

    /// Whether every length word in `start..<end` still reads zero (Agrona's scan back,
    /// guarding against a producer that wrote while the scan went forward).
    private func isZero(from start: Int, to end: Int) -> Bool {
        stride(from: end - RingLayout.recordAlignment, through: start, by: -RingLayout.recordAlignment)
            .allSatisfy { lengthWord($0).pointee.load(ordering: .acquiring) == 0 }
    }
}
