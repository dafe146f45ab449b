/// One write of an insert or delete batch: a key, a score and a member, the bytes as views.
@frozen
public struct TimelineWrite {
    /// The key's bytes. A view into the frame's buffer (decoded) or the caller's bytes
    /// (built), valid only while that buffer is (the ring record, the pooled lease); copy what
    /// must outlive it.
    public let unsafeKey: UnsafeRawBufferPointer
    /// The write's score (finite).
    public let score: Double
    /// The member's bytes. A view into the frame's buffer (decoded) or the caller's bytes
    /// (built), valid only while that buffer is (the ring record, the pooled lease); copy what
    /// must outlive it.
    public let unsafeMember: UnsafeRawBufferPointer

    /// A write over `key`'s and `member`'s bytes.
    @inlinable
    public init(key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) {
        self.unsafeKey = key
        self.score = score
        self.unsafeMember = member
    }
}

/// The writes of an insert or delete batch in the binary layout, validated: a flyweight
/// sequence over the encoded writes (each a score, a u16 key length, a u16 member length, the
/// key and the member) that hands out `TimelineWrite`s whose bytes are views into the buffer.
public typealias TimelineWrites = TimelineList<TimelineWrite>

/// One entry of ``TimelineWrites``: a score, a u16 key length, a u16 member length, the key
/// and the member.
extension TimelineWrite: TimelineListElement {
    /// Checks the write at `offset` (its lengths fit, its score is finite) and returns its size.
    @inlinable
    public static func validatedListEntrySize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
        typealias Layout = TimelineBinaryLayout
        let left = bytes.count - offset
        try Layout.checkRoom(.writes, length: Layout.writeFixedSize, available: left)
        let keyLength = Int(bytes.unsafeLoadBigEndian(at: offset + Layout.writeKeyLengthOffset, as: UInt16.self))
        let memberLength = Int(bytes.unsafeLoadBigEndian(at: offset + Layout.writeMemberLengthOffset, as: UInt16.self))
        try Layout.checkRoom(.key, length: keyLength, available: left - Layout.writeFixedSize)
        try Layout.checkRoom(.member, length: memberLength, available: left - Layout.writeFixedSize - keyLength)
        try Layout.checkScore(bytes.unsafeLoadBigEndianDouble(at: offset))
        return Layout.writeFixedSize + keyLength + memberLength
    }

    /// Reads the validated write at `offset`, its key and member views, and its size.
    @inlinable
    public static func unsafeListEntry(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: TimelineWrite, size: Int) {
        typealias Layout = TimelineBinaryLayout
        let score = entries.unsafeLoadBigEndianDouble(at: offset)
        let keyLength = Int(entries.unsafeLoadBigEndian(at: offset + Layout.writeKeyLengthOffset, as: UInt16.self))
        let memberLength = Int(entries.unsafeLoadBigEndian(at: offset + Layout.writeMemberLengthOffset, as: UInt16.self))
        let key = entries.unsafeSlice(at: offset + Layout.writeFixedSize, count: keyLength)
        let member = entries.unsafeSlice(at: offset + Layout.writeFixedSize + keyLength, count: memberLength)
        return (TimelineWrite(key: key, score: score, member: member), Layout.writeFixedSize + keyLength + memberLength)
    }
}

/// Writes the writes of an insert or delete batch into a buffer, one `append` at a time;
/// `writes` is then the batch's `TimelineWrites`, for `TimelineRequest.insertBatch(_:)` or
/// `TimelineRequest.deleteBatch(_:)`.
public typealias TimelineWritesWriter = TimelineListWriter<TimelineWrite>

extension TimelineListWriter where Element == TimelineWrite {
    /// Appends one write; throws, writing nothing, if the key or member is longer than
    /// 65,535 bytes, the score not finite, or the buffer full.
    @inlinable
    public mutating func append(key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        try Layout.checkLength(key, .key)
        try Layout.checkLength(member, .member)
        try Layout.checkScore(score)
        guard appended < Layout.maxItemCount else { throw .valueOutOfRange(field: .writes, value: appended + 1) }
        let size = Layout.writeFixedSize + key.count + member.count
        guard buffer.count - end >= size else { throw .bufferTooSmall(needed: size, available: buffer.count - end) }
        buffer.unsafeStoreBigEndianDouble(score, at: end)
        buffer.unsafeStoreBigEndian(UInt16(key.count), at: end + Layout.writeKeyLengthOffset)
        buffer.unsafeStoreBigEndian(UInt16(member.count), at: end + Layout.writeMemberLengthOffset)
        buffer.unsafeCopy(key, at: end + Layout.writeFixedSize)
        buffer.unsafeCopy(member, at: end + Layout.writeFixedSize + key.count)
        end += size
        appended += 1
    }

    /// The writes appended so far: views into the writer's buffer.
    @inlinable
    public var writes: TimelineWrites { written }
}
