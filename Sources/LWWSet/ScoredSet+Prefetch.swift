import CRingside

/// Prefetch hints for batches (`LWWSet.write(_:outcome:)`, `LWWSet.select(_:into:each:)`).
///
/// A write or a select walks a chain of dependent loads: key state, then slot or order, then
/// record. One at a time, each link is a cache miss that the CPU waits out. A batch instead
/// walks one link of every operation's chain before the next link of any, issuing prefetches
/// whose misses overlap; the operations then run on cached lines. These methods only hint:
/// they change nothing and read only lines that the previous stage brought in.
extension ScoredSet {
    /// Stage two of a write: the home slot of the member hashed `hash`; for the set the
    /// write targets, also where an add stores (the order's and the arena's ends) and, when
    /// the set is at `maxSize` (the size gate and the trim read its lowest entry), its lowest
    /// order entry.
    @inline(__always)
    func prefetchForWrite(hash: UInt32, isTarget: Bool, maxSize: Int) {
        guard slotCount > 0 else { return }
        let regions = unsafeRegions()
        ringside_prefetch(regions.slots.baseAddress! + HashSlots.home(hash, regions.slots.count))
        guard isTarget else { return }
        if tail < orderCapacity {
            ringside_prefetch_for_write(regions.order + Int(tail))
        }
        if arenaUsed < arenaCapacity {
            ringside_prefetch_for_write(regions.arena + Int(arenaUsed))
        }
        if count >= maxSize {
            ringside_prefetch(regions.order + Int(head))
        }
    }

    /// Stage three of a write: the records whose slots carry `hash`'s tag (the ones a member
    /// check compares) and, when the set is the target and at `maxSize`, its lowest record.
    @inline(__always)
    func prefetchRecords(hash: UInt32, isTarget: Bool, maxSize: Int) {
        guard count > 0 else { return }
        let regions = unsafeRegions()
        var index = HashSlots.home(hash, regions.slots.count)
        while case let slot = regions.slots[index], slot != 0 {
            if HashSlots.hash(slot) == hash {
                ringside_prefetch(regions.arena + Int(HashSlots.handle(slot)))
            }
            index += 1
            if index == regions.slots.count { index = 0 }
        }
        if isTarget && count >= maxSize {
            ringside_prefetch(regions.arena + Int(regions.order[Int(head)]))
        }
    }

    /// Stage two of a select of at most `limit` entries down from ascending position
    /// `start`: the order entries it reads.
    @inline(__always)
    func prefetchOrder(from start: Int, limit: Int) {
        guard start >= 0 && start < count && limit > 0 else { return }
        let regions = unsafeRegions()
        let top = Int(head) + start
        let floor = max(Int(head), top - min(limit, Self.prefetchedEntries) + 1)
        let stride = MemoryLayout<UInt32>.stride
        var slot = top
        while slot >= floor {
            ringside_prefetch(regions.order + slot)
            slot -= Self.cacheLine / stride
        }
        ringside_prefetch(regions.order + floor)
    }

    /// Stage three of a select: the records of the entries that `prefetchOrder` fetched.
    @inline(__always)
    func prefetchRecords(from start: Int, limit: Int) {
        guard start >= 0 && start < count && limit > 0 else { return }
        let regions = unsafeRegions()
        let top = Int(head) + start
        let floor = max(Int(head), top - min(limit, Self.prefetchedEntries) + 1)
        for slot in floor ... top {
            ringside_prefetch(regions.arena + Int(regions.order[slot]))
        }
    }

    /// The most entries of one select that are prefetched (the rest stream in behind them).
    private static let prefetchedEntries = 16
    private static let cacheLine = 64
}
