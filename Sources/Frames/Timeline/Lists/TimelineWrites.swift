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
@frozen
public struct TimelineWrites: Sequence {
    /// The encoded writes, without the message's leading op and count.
    @usableFromInline let entries: UnsafeRawBufferPointer
    /// The number of writes.
    public let count: Int

    @inlinable
    init(unchecked entries: UnsafeRawBufferPointer, count: Int) {
        self.entries = entries
        self.count = count
    }

    /// No writes.
    @inlinable
    public static var empty: TimelineWrites { TimelineWrites(unchecked: .empty, count: 0) }

    /// Validates `count` writes filling `bytes` exactly: every length fits, every score is
    /// finite, no byte follows the last write.
    @inlinable
    init(validating bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) {
        try TimelineList<Entry>.validate(bytes, count: count)
        self.init(unchecked: bytes, count: count)
    }

    /// Walks the writes in order.
    @inlinable
    public func makeIterator() -> Iterator { Iterator(list: TimelineList(entries: entries, remaining: count)) }

    /// An iterator over validated writes.
    @frozen
    public struct Iterator: IteratorProtocol {
        @usableFromInline var list: TimelineList<Entry>

        @inlinable
        init(list: TimelineList<Entry>) {
            self.list = list
        }

        /// The next write, or nil after the last.
        @inlinable
        public mutating func next() -> TimelineWrite? { list.next() }
    }

    /// One write: a score, a u16 key length, a u16 member length, the key and the member.
    @usableFromInline
    enum Entry: TimelineListEntry {
        @inlinable
        static func validatedSize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
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

        @inlinable
        static func element(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: TimelineWrite, size: Int) {
            typealias Layout = TimelineBinaryLayout
            let score = entries.unsafeLoadBigEndianDouble(at: offset)
            let keyLength = Int(entries.unsafeLoadBigEndian(at: offset + Layout.writeKeyLengthOffset, as: UInt16.self))
            let memberLength = Int(entries.unsafeLoadBigEndian(at: offset + Layout.writeMemberLengthOffset, as: UInt16.self))
            let key = entries.unsafeSlice(at: offset + Layout.writeFixedSize, count: keyLength)
            let member = entries.unsafeSlice(at: offset + Layout.writeFixedSize + keyLength, count: memberLength)
            return (TimelineWrite(key: key, score: score, member: member), Layout.writeFixedSize + keyLength + memberLength)
        }
    }

    /// The number of writes.
    @inlinable
    public var underestimatedCount: Int { count }
}

/// Writes the writes of an insert or delete batch into a buffer, one `append` at a time;
/// `writes` is then the batch's `TimelineWrites`, for `TimelineRequest.insertBatch(_:)` or
/// `TimelineRequest.deleteBatch(_:)`.
public struct TimelineWritesWriter {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var end = 0
    @usableFromInline var appended = 0

    /// A writer that fills `buffer` from its start.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

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
    public var writes: TimelineWrites {
        TimelineWrites(unchecked: UnsafeRawBufferPointer(buffer).unsafeSlice(at: 0, count: end), count: appended)
    }
}
