/// A range's start or stop cursor: a score and a member, the member a byte view. A range
/// selects entries strictly after its start and strictly before its stop.
@frozen
public struct TimelineCursor {
    /// The cursor's score (finite).
    public let score: Double
    /// The cursor's member bytes (may be empty).
    public let member: UnsafeRawBufferPointer

    /// A cursor at `score` over `member`'s bytes.
    @inlinable
    public init(score: Double, member: UnsafeRawBufferPointer) {
        self.score = score
        self.member = member
    }
}
