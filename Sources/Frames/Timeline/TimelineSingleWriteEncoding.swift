/// One binary insert or delete to encode, its fields borrowed: checked when made, as
/// ``TimelineRequest/insert(key:score:member:)`` checks them (key and member at most 65,535
/// bytes, a finite score), and encoded with
/// ``TimelineSingleWrite/unsafeEncode(isDelete:key:score:member:into:)`` alone, the same
/// bytes as that request's. What a server's tail event is: it is encoded straight into the
/// outgoing frame, and a whole ``TimelineRequest`` built for it cost its size's and its
/// encoding's switches over every operation.
///
/// ```swift
/// let event = try TimelineSingleWriteEncoding(isDelete: false, key: key, score: 3, member: member)
/// try writer.writePayload(streamID: id, data: event)
/// ```
@frozen
public struct TimelineSingleWriteEncoding: FrameEncodable {
    /// A delete (an insert otherwise).
    public let isDelete: Bool
    /// The key's bytes, valid while this value is used.
    public let key: UnsafeRawBufferPointer
    /// The score (finite).
    public let score: Double
    /// The member's bytes, valid while this value is used.
    public let member: UnsafeRawBufferPointer

    /// An insert (a delete when `isDelete`) of `member` at `score` under `key`; throws as
    /// ``TimelineRequest/insert(key:score:member:)`` does for fields it cannot encode.
    @inlinable @inline(__always)
    public init(isDelete: Bool, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        try TimelineBinaryLayout.checkLength(key, .key)
        try TimelineBinaryLayout.checkLength(member, .member)
        try TimelineBinaryLayout.checkScore(score)
        self.isDelete = isDelete
        self.key = key
        self.score = score
        self.member = member
    }

    /// The message's size.
    @inlinable @inline(__always)
    public var encodedByteCount: Int { TimelineSingleWrite.encodedByteCount(keyCount: key.count, memberCount: member.count) }

    /// Writes the message at the start of `buffer`.
    @inlinable @inline(__always)
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        TimelineSingleWrite.unsafeEncode(isDelete: isDelete, key: key, score: score, member: member, into: buffer)
    }
}
