import LWWSet

/// The write batch that `TimelineEngine.apply` builds for the set's batch API, reused from
/// one apply to the next: the writes, the queued request that owns each, and whether each
/// may have tails (``TailIndex/mayHold(_:)``, asked before the batch runs).
struct WriteBatch {
    var writes: [BorrowedWrite] = []
    /// The owners of the writes past the direct ones (`owners[i]` owns write
    /// `directCount + i`): the direct writes open the batch and are owned by no request, so
    /// they append no owner.
    var owners: [Int] = []
    /// Whether each write may have tails; filled only while a tail is open (empty otherwise).
    var tailed: [Bool] = []
    /// How many writes open the batch from the queue's direct lane.
    var directCount = 0

    /// The queued request that owns write `index` of the batch; -1 for a direct write.
    func owner(of index: Int) -> Int {
        index < directCount ? -1 : owners[index - directCount]
    }

    /// Empties the batch, keeping every buffer's capacity.
    mutating func removeAll() {
        writes.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
        tailed.removeAll(keepingCapacity: true)
        directCount = 0
    }
}
