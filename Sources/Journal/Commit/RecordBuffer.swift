/// A batch of framed records in one reusable buffer: appended by the writer, written to the
/// log with one `write`, then emptied and filled again. It grows by doubling when a batch
/// needs more room and keeps its capacity, so steady state allocates nothing.
///
/// Owns raw memory: its owner calls ``deallocate()`` exactly once.
struct RecordBuffer {
    private var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes of framed records held.
    private(set) var count = 0
    /// Records held.
    private(set) var records = 0
    /// The sequence of the last record held (meaningful when `records > 0`).
    private(set) var lastSequence: UInt64 = 0

    /// An empty buffer of `capacity` bytes.
    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    /// True when no record is held.
    var isEmpty: Bool { records == 0 }

    /// The framed records, for writing out.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Frames a record of `length` payload bytes with `sequence`: `fill` writes the payload
    /// in place, then the header and checksum are stored.
    mutating func append<E: Error>(
        sequence: UInt64, length: Int, _ fill: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let frameLength = RecordFrame.headerLength + length
        if frameLength > capacity - count { grow(toHold: count + frameLength) }
        let frame = UnsafeMutableRawBufferPointer(start: base + count, count: frameLength)
        try fill(UnsafeMutableRawBufferPointer(rebasing: frame[RecordFrame.headerLength...]))
        RecordFrame.seal(frame, length: UInt32(length), sequence: sequence)
        count += frameLength
        records += 1
        lastSequence = sequence
    }

    /// Forgets every record, keeping the capacity.
    mutating func removeAll() {
        count = 0
        records = 0
    }

    /// Frees the memory.
    func deallocate() {
        base.deallocate()
    }

    private mutating func grow(toHold needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
