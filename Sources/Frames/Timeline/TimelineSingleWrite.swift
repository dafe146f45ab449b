/// One binary insert or delete, read in place: where its key and member lie in the message,
/// its score, and which it is. What a server's hot path needs of the bulk of a steady load
/// (one write per request), without the rest of a ``TimelineRequest``.
///
/// Validated as ``TimelineRequest/init(decoding:)`` validates an insert or a delete (that
/// decoder is built on this one): the reserved byte zero, the fixed part present, the key
/// and the member ending exactly at the end of the message, a finite score.
///
/// ```swift
/// if let write = try? TimelineSingleWrite(decoding: frame.unsafeData) {
///     queue(write.isDelete, key: write.keyRange, member: write.memberRange, score: write.score)
/// }
/// ```
@frozen
public struct TimelineSingleWrite {
    /// A delete (an insert otherwise).
    public let isDelete: Bool
    /// The score (finite).
    public let score: Double
    /// The key's bytes: their offset in the message, and their count.
    public let keyOffset: Int
    public let keyCount: Int
    /// The member's bytes (right after the key): their offset in the message, and their count.
    public let memberOffset: Int
    public let memberCount: Int

    /// Reads the insert or delete in `bytes` (exactly one message, as a frame's data); throws
    /// for anything else: a malformed insert or delete, or a message of another operation
    /// (``TimelineCodecError/unknownOperation(_:)``: none this reader knows; the full
    /// decoder says what is wrong with it, if anything).
    @inlinable @inline(__always)
    public init(decoding bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        let code = try Layout.readOperation(bytes)
        guard code == TimelineOperation.insert.rawValue || code == TimelineOperation.delete.rawValue else {
            throw .unknownOperation(code)
        }
        try Layout.checkFixedPart(bytes, fixedSize: Layout.eventFixedSize)
        let keyLength = Int(bytes.unsafeLoadBigEndian(at: Layout.eventKeyLengthOffset, as: UInt16.self))
        let memberLength = Int(bytes.unsafeLoadBigEndian(at: Layout.eventMemberLengthOffset, as: UInt16.self))
        try Layout.checkVariablePart(bytes, fixedSize: Layout.eventFixedSize, keyLength: keyLength, memberLength: memberLength)
        let score = bytes.unsafeLoadBigEndianDouble(at: Layout.eventScoreOffset)
        try Layout.checkScore(score)
        isDelete = code == TimelineOperation.delete.rawValue
        self.score = score
        keyOffset = Layout.eventFixedSize
        keyCount = keyLength
        memberOffset = Layout.eventFixedSize + keyLength
        memberCount = memberLength
    }

    /// The operation: ``TimelineOperation/insert`` or ``TimelineOperation/delete``.
    @inlinable
    public var operation: TimelineOperation { isDelete ? .delete : .insert }
}

extension TimelineSingleWrite {
    /// The size of an insert or delete of `keyCount` key bytes and `memberCount` member bytes
    /// in the binary layout.
    @inlinable @inline(__always)
    public static func encodedByteCount(keyCount: Int, memberCount: Int) -> Int {
        TimelineBinaryLayout.eventFixedSize + keyCount + memberCount
    }

    /// Writes an insert (a delete when `isDelete`) of `member` at `score` under `key` at the
    /// start of `buffer`, which holds at least ``encodedByteCount(keyCount:memberCount:)``
    /// bytes. Unchecked: the caller checked the fields as ``TimelineRequest/insert(key:score:member:)``
    /// does (key and member at most 65,535 bytes, a finite score). A client's single write
    /// is encoded with this alone, without building a whole ``TimelineRequest``.
    @inlinable @inline(__always)
    public static func unsafeEncode(
        isDelete: Bool, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) {
        buffer[TimelineBinaryLayout.operationOffset] = (isDelete ? TimelineOperation.delete : .insert).rawValue
        buffer[TimelineBinaryLayout.reservedOffset] = 0
        unsafeEncodeFields(key: key, score: score, member: member, into: buffer)
    }

    /// Writes an insert's or a delete's fields after its two leading bytes (see
    /// ``unsafeEncode(isDelete:key:score:member:into:)``).
    @inlinable @inline(__always)
    static func unsafeEncodeFields(
        key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer
    ) {
        typealias Layout = TimelineBinaryLayout
        buffer.unsafeStoreBigEndianDouble(score, at: Layout.eventScoreOffset)
        buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: key.count), at: Layout.eventKeyLengthOffset)
        buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: member.count), at: Layout.eventMemberLengthOffset)
        buffer.unsafeCopyShort(key, at: Layout.eventFixedSize)
        buffer.unsafeCopyShort(member, at: Layout.eventFixedSize + key.count)
    }
}
