import LWWSet

/// The write batch that `TimelineEngine.apply` builds for the set's batch API, reused from
/// one apply to the next: the writes, the queued request that owns each, and whether each
/// may have tails (``TailIndex/mayHold(_:)``, asked before the batch runs).
struct WriteBatch {
    var writes: [BorrowedWrite] = []
    var owners: [Int] = []
    var tailed: [Bool] = []

    /// Empties the batch, keeping every buffer's capacity.
    mutating func removeAll() {
        writes.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
        tailed.removeAll(keepingCapacity: true)
    }
}
