/// The two kinds of write: an insert targets a key's add set, a delete its remove set.
public enum WriteKind: Sendable, Hashable, CaseIterable {
    /// Makes the member visible at the score (unless a newer write says otherwise).
    case insert
    /// Records a tombstone for the member at the score, hiding older inserts.
    case delete
}

/// What a write did. A write that is not applied changes nothing.
public enum WriteOutcome: Sendable, Hashable {
    /// The write was applied (the entry it stored may have been trimmed away at once).
    case applied
    /// Ignored by the size gate: the target set was full and the score below its lowest.
    case ignoredBySizeGate
    /// Ignored because the member is visible with a higher score.
    case ignoredByNewerInsert
    /// Ignored because the member has a tombstone with a higher or equal score.
    case ignoredByNewerDelete

    /// Whether the write was applied.
    public var isApplied: Bool { self == .applied }
}
