/// One entry of a select result: a member and its score. The member is a byte view.
@frozen
public struct TimelineRecord {
    /// The member's bytes. A view into the frame's buffer (decoded) or the writer's buffer
    /// (built), valid only while that buffer is (the ring record, the pooled lease); copy what
    /// must outlive it.
    public let unsafeMember: UnsafeRawBufferPointer
    /// The member's score.
    public let score: Double

    /// A record over `member`'s bytes.
    @inlinable
    public init(member: UnsafeRawBufferPointer, score: Double) {
        self.unsafeMember = member
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
        try TimelineList<Entry>.validate(bytes, count: count)
        self.init(unchecked: bytes, count: count)
    }

    /// Walks the records in order.
    @inlinable
    public func makeIterator() -> Iterator { Iterator(list: TimelineList(entries: entries, remaining: count)) }

    /// An iterator over validated records.
    @frozen
    public struct Iterator: IteratorProtocol {
        @usableFromInline var list: TimelineList<Entry>

        @inlinable
        init(list: TimelineList<Entry>) {
            self.list = list
        }

        /// The next record, or nil after the last.
        @inlinable
        public mutating func next() -> TimelineRecord? { list.next() }
    }

    /// One record: a score, a u16 member length and the member.
    @usableFromInline
    enum Entry: TimelineListEntry {
        @inlinable
        static func validatedSize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
            typealias Layout = TimelineBinaryLayout
            let left = bytes.count - offset
            try Layout.checkRoom(.records, length: Layout.recordFixedSize, available: left)
            try Layout.checkScore(bytes.unsafeLoadBigEndianDouble(at: offset))
            let length = Int(bytes.unsafeLoadBigEndian(at: offset + Layout.recordMemberLengthOffset, as: UInt16.self))
            try Layout.checkRoom(.member, length: length, available: left - Layout.recordFixedSize)
            return Layout.recordFixedSize + length
        }

        @inlinable
        static func element(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: TimelineRecord, size: Int) {
            typealias Layout = TimelineBinaryLayout
            let score = entries.unsafeLoadBigEndianDouble(at: offset)
            let length = Int(entries.unsafeLoadBigEndian(at: offset + Layout.recordMemberLengthOffset, as: UInt16.self))
            let member = entries.unsafeSlice(at: offset + Layout.recordFixedSize, count: length)
            return (TimelineRecord(member: member, score: score), Layout.recordFixedSize + length)
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
