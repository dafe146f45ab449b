/// One entry of a select result: a member and its score. The member is a byte view.
@frozen
public struct TimelineRecord {
    /// The member's bytes.
    public let member: UnsafeRawBufferPointer
    /// The member's score.
    public let score: Double

    /// A record over `member`'s bytes.
    @inlinable
    public init(member: UnsafeRawBufferPointer, score: Double) {
        self.member = member
        self.score = score
    }
}

/// The records of a select response in the binary layout, validated: a flyweight sequence
/// over the encoded entries (each a score, a u16 member length and the member), which hands
/// out `TimelineRecord`s whose members are views into the buffer.
@frozen
public struct TimelineRecords: Sequence {
    /// The encoded entries, without the response's leading op and count.
    @usableFromInline let entries: UnsafeRawBufferPointer
    /// The number of records.
    public let count: Int

    @inlinable
    init(unchecked entries: UnsafeRawBufferPointer, count: Int) {
        self.entries = entries
        self.count = count
    }

    /// No records.
    @inlinable
    public static var empty: TimelineRecords { TimelineRecords(unchecked: .empty, count: 0) }

    /// Validates `count` records at the start of `bytes`, which must end exactly with the last:
    /// every length fits, every score is finite.
    @inlinable
    init(validating bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) {
        let length = try Self.validatedLength(of: bytes, count: count)
        guard length == bytes.count else { throw .trailingBytes(count: bytes.count - length) }
        self.init(unchecked: bytes, count: count)
    }

    /// Validates `count` records at the start of `bytes` (more bytes may follow) and returns
    /// the number of bytes they take.
    @inlinable
    static func validatedLength(of bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) -> Int {
        typealias Layout = TimelineBinaryLayout
        var at = 0
        for _ in 0..<count {
            let left = bytes.count - at
            try Layout.checkRoom(.records, length: Layout.recordFixedSize, available: left)
            try Layout.checkScore(bytes.unsafeLoadBigEndianDouble(at: at))
            let length = Int(bytes.unsafeLoadBigEndian(at: at + Layout.recordMemberLengthOffset, as: UInt16.self))
            try Layout.checkRoom(.member, length: length, available: left - Layout.recordFixedSize)
            at += Layout.recordFixedSize + length
        }
        return at
    }

    /// Walks the records in order.
    @inlinable
    public func makeIterator() -> Iterator { Iterator(entries: entries, remaining: count) }

    /// An iterator over validated records.
    @frozen
    public struct Iterator: IteratorProtocol {
        @usableFromInline let entries: UnsafeRawBufferPointer
        @usableFromInline var offset = 0
        @usableFromInline var remaining: Int

        @inlinable
        init(entries: UnsafeRawBufferPointer, remaining: Int) {
            self.entries = entries
            self.remaining = remaining
        }

        /// The next record, or nil after the last.
        @inlinable
        public mutating func next() -> TimelineRecord? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let score = entries.unsafeLoadBigEndianDouble(at: offset)
            let length = Int(entries.unsafeLoadBigEndian(at: offset + TimelineBinaryLayout.recordMemberLengthOffset, as: UInt16.self))
            let member = entries.unsafeSlice(at: offset + TimelineBinaryLayout.recordFixedSize, count: length)
            offset += TimelineBinaryLayout.recordFixedSize + length
            return TimelineRecord(member: member, score: score)
        }
    }

    /// The number of records.
    @inlinable
    public var underestimatedCount: Int { count }
}

/// Writes the records of a select response into a buffer, one `append` at a time; `records`
/// is then the response's `TimelineRecords`, ready to be written into a frame.
public struct TimelineRecordsWriter {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var end = 0
    @usableFromInline var appended = 0

    /// A writer that fills `buffer` from its start.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// Appends one record; throws, writing nothing, if the member is longer than 65,535
    /// bytes, the score not finite, or the buffer full.
    @inlinable
    public mutating func append(member: UnsafeRawBufferPointer, score: Double) throws(TimelineCodecError) {
        guard appended < TimelineBinaryLayout.maxItemCount else { throw .valueOutOfRange(field: .records, value: appended + 1) }
        end += try TimelineBinaryLayout.storeRecord(member: member, score: score, in: buffer, at: end)
        appended += 1
    }

    /// The records appended so far: views into the writer's buffer.
    @inlinable
    public var records: TimelineRecords {
        TimelineRecords(unchecked: UnsafeRawBufferPointer(buffer).unsafeSlice(at: 0, count: end), count: appended)
    }
}
