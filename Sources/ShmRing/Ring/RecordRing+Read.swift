import Synchronization

/// What a ``RecordRing/controlledRead(limit:_:)`` handler asks for after each message.
public enum ControlledReadAction: Sendable {
    /// Leave this message unconsumed and stop; the next read delivers it again.
    case abort
    /// Consume this message and stop.
    case `break`
    /// Consume this message, publish the head now (freeing its space for producers), go on.
    case commit
    /// Consume this message and go on.
    case `continue`
}

extension RecordRing {
    /// Delivers up to `limit` messages, in order, to `handler` as (type, payload), then
    /// frees their space by publishing the head once for the whole batch. Returns how many
    /// messages were delivered (0 when the ring is empty or the next record is still being
    /// written). A batch stops at the end of the buffer; the next call goes on from the start.
    ///
    /// The payload pointer is valid only during the call. Call from one consumer at a time,
    /// and not from inside a handler of the same ring.
    @inlinable
    @discardableResult
    public final func read(
        limit: Int = .max,
        _ handler: (_ type: Int32, _ payload: UnsafeRawBufferPointer) -> Void
    ) throws(RingError) -> Int {
        try scan(limit: limit) { type, payload in
            handler(type, payload)
            return .continue
        }
    }

    /// Like ``read(limit:_:)``, with the handler steering the batch after each message
    /// (Agrona's `controlledRead`): see ``ControlledReadAction``. Returns how many messages
    /// were consumed (an aborted one does not count).
    ///
    /// Always inlined, with its loop: a handler literal then runs in the loop itself, and one
    /// that calls closures of its caller's (a caller inlined in turn) calls them directly.
    /// Specialised out of line instead, the loop called each of those closures indirectly
    /// for every message.
    @inlinable
    @inline(__always)
    @discardableResult
    public final func controlledRead(
        limit: Int = .max,
        _ handler: (_ type: Int32, _ payload: UnsafeRawBufferPointer) -> ControlledReadAction
    ) throws(RingError) -> Int {
        try scan(limit: limit, handler)
    }

    /// Whether the record at the head is still unwritten (its length word reads zero), so
    /// that a read now would deliver nothing: one load beside the head's, of the line a read
    /// loads first, for a consumer that polls many rings and reads only those with a record.
    /// Checks nothing else (a corrupt head or ring is found by the read); the index is kept
    /// aligned and inside the buffer whatever the head holds.
    @inlinable
    public final var isEmptyAtHead: Bool {
        let head = headPosition.pointee.load(ordering: .relaxed)
        let index = Int(truncatingIfNeeded: head) & mask & ~(RingLayout.recordAlignment - 1)
        return lengthWord(index).pointee.load(ordering: .acquiring) == 0
    }

    /// The consumer loop behind both reads. Every length and type is checked against the
    /// room left in the buffer before the payload is touched; the records consumed before a
    /// corrupt one are released, then the corruption is thrown.
    @inlinable
    @inline(__always)
    final func scan(
        limit: Int,
        _ handler: (Int32, UnsafeRawBufferPointer) -> ControlledReadAction
    ) throws(RingError) -> Int {
        if _slowPath(poisoned.load(ordering: .relaxed)) { throw poisonedError() }
        var head = headPosition.pointee.load(ordering: .relaxed)
        var headIndex = Int(truncatingIfNeeded: head) & mask
        if _slowPath(headIndex & (RingLayout.recordAlignment - 1) != 0) {
            throw poison(RingCorruption(.head, at: head, value: head))
        }
        let buffer = self.buffer
        let capacity = self.capacity
        var bytesRead = 0
        var messages = 0
        var problem: RingCorruption?
        records: while messages < limit {
            let index = headIndex &+ bytesRead
            if index == capacity { break }
            let room = capacity &- index
            let length = Int(lengthWord(index).pointee.load(ordering: .acquiring))
            if length <= 0 {
                // Zero: free space. Negative: a claim in progress, whose size must be possible.
                if _slowPath(length < 0 && !(RingLayout.recordHeaderLength...room).contains(-length)) {
                    problem = RingCorruption(.recordLength, at: Int64(index), value: Int64(length))
                }
                break
            }
            let aligned = RingLayout.aligned(length)
            if _slowPath(length < RingLayout.recordHeaderLength || aligned > room) {
                problem = RingCorruption(.recordLength, at: Int64(index), value: Int64(length))
                break
            }
            let type = buffer.load(fromByteOffset: index &+ 4, as: Int32.self)
            if type == RingLayout.paddingType {
                bytesRead &+= aligned
                continue
            }
            if _slowPath(type <= 0) {
                problem = RingCorruption(.recordType, at: Int64(index), value: Int64(type))
                break
            }
            let payload = UnsafeRawBufferPointer(
                start: buffer + (index &+ RingLayout.recordHeaderLength),
                count: length &- RingLayout.recordHeaderLength)
            switch handler(type, payload) {
            case .abort:
                break records
            case .break:
                bytesRead &+= aligned
                messages &+= 1
                break records
            case .commit:
                bytesRead &+= aligned
                messages &+= 1
                release(from: headIndex, count: bytesRead, head: head)
                head &+= Int64(bytesRead)
                headIndex &+= bytesRead
                bytesRead = 0
            case .continue:
                bytesRead &+= aligned
                messages &+= 1
            }
        }
        if bytesRead > 0 { release(from: headIndex, count: bytesRead, head: head) }
        if let problem { throw poison(problem) }
        return messages
    }

    /// Zeroes `count` consumed bytes from `index` (free space must read as zero), then
    /// publishes the new head with release ordering.
    @inlinable
    @inline(__always)
    final func release(from index: Int, count: Int, head: Int64) {
        (buffer + index).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        headPosition.pointee.store(head &+ Int64(count), ordering: .releasing)
    }
}
