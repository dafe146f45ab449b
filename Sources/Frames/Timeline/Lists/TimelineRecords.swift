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
public typealias TimelineRecords = TimelineList<TimelineRecord>

/// One entry of ``TimelineRecords``: a score, a u16 member length and the member.
extension TimelineRecord: TimelineListElement {
    /// Checks the record at `offset` (its length fits, its score is finite) and returns its size.
    @inlinable
    public static func validatedListEntrySize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
        typealias Layout = TimelineBinaryLayout
        let left = bytes.count - offset
        try Layout.checkRoom(.records, length: Layout.recordFixedSize, available: left)
        try Layout.checkScore(bytes.unsafeLoadBigEndianDouble(at: offset))
        let length = Int(bytes.unsafeLoadBigEndian(at: offset + Layout.recordMemberLengthOffset, as: UInt16.self))
        try Layout.checkRoom(.member, length: length, available: left - Layout.recordFixedSize)
        return Layout.recordFixedSize + length
    }

    /// Reads the validated record at `offset`, its member a view, and its size.
    @inlinable
    public static func unsafeListEntry(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: TimelineRecord, size: Int) {
        typealias Layout = TimelineBinaryLayout
        let score = entries.unsafeLoadBigEndianDouble(at: offset)
        let length = Int(entries.unsafeLoadBigEndian(at: offset + Layout.recordMemberLengthOffset, as: UInt16.self))
        let member = entries.unsafeSlice(at: offset + Layout.recordFixedSize, count: length)
        return (TimelineRecord(member: member, score: score), Layout.recordFixedSize + length)
    }
}

/// Writes the records of a select response into a buffer, one `append` at a time; `records`
/// is then the response's `TimelineRecords`, ready to be written into a frame.
public typealias TimelineRecordsWriter = TimelineListWriter<TimelineRecord>

extension TimelineListWriter where Element == TimelineRecord {
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
    public var records: TimelineRecords { written }
}
