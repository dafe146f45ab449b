/// A range's start or stop cursor: a score and a member, the member a byte view. A range
/// selects entries strictly after its start and strictly before its stop.
@frozen
public struct TimelineCursor {
    /// The cursor's score (finite).
    public let score: Double
    /// The cursor's member bytes (may be empty). A view into the frame's buffer (decoded) or
    /// the caller's bytes (built), valid only while that buffer is (the ring record, the
    /// pooled lease); copy what must outlive it.
    public let unsafeMember: UnsafeRawBufferPointer

    /// A cursor at `score` over `member`'s bytes.
    @inlinable
    public init(score: Double, member: UnsafeRawBufferPointer) {
        self.score = score
        self.unsafeMember = member
    }
}
