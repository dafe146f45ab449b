import LWWSet

/// The write batch that `TimelineEngine.apply` builds for the set's batch API, reused from
/// one apply to the next: the writes, the queued request that owns each, and whether each
/// may have tails (``TailIndex/mayHold(_:)``, asked before the batch runs). In
/// ``UnsafeGrowableBuffer``s (no uniqueness check per append, an empty batch in three
/// stores), freed by the engine at deinit.
struct WriteBatch {
    var writes = UnsafeGrowableBuffer<BorrowedWrite>()
    /// The owners of the writes past the direct ones (`owners[i]` owns write
    /// `directCount + i`): the direct writes open the batch and are owned by no request, so
    /// they append no owner.
    var owners = UnsafeGrowableBuffer<Int>()
    /// Whether each write may have tails; filled only while a tail is open (empty otherwise).
    var tailed = UnsafeGrowableBuffer<Bool>()
    /// How many writes open the batch from the queue's direct lane.
    var directCount = 0

    /// The queued request that owns write `index` of the batch; -1 for a direct write.
    func owner(of index: Int) -> Int {
        index < directCount ? -1 : owners[index - directCount]
    }

    /// Empties the batch, keeping every buffer's memory.
    mutating func removeAll() {
        writes.removeAll()
        owners.removeAll()
        tailed.removeAll()
        directCount = 0
    }

    /// Frees the buffers' memory.
    mutating func deallocate() {
        writes.deallocate()
        owners.deallocate()
        tailed.deallocate()
    }
}
