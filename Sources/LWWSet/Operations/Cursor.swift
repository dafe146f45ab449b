/// A position in a set's order, for paging through it: a score and a member.
///
/// Entries order by score, then by member bytes (memcmp order). In a select, which lists
/// highest first, an entry comes *after* a cursor when its score is lower, or equal with
/// smaller member bytes; it comes *before* the cursor when it is higher.
public struct Cursor: Sendable, Hashable {
    /// The cursor's score (a NaN score is refused by the selects).
    public var score: Double
    /// The cursor's member bytes (may be empty).
    public var member: [UInt8]

    /// A cursor at `score` and `member`.
    public init(score: Double, member: some Sequence<UInt8>) {
        self.score = score
        self.member = Array(member)
    }
}
