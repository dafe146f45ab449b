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
