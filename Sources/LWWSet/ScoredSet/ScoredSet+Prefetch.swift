import CRingside

/// Prefetch hints for batches of writes (`LWWSet.write(_:outcome:)`; a batch of selects
/// prefetches through its `SelectRange`s) and for a select one at a time.
///
/// A write or a select walks a chain of dependent loads: key state, then slot or order, then
/// record. One at a time, each link is a cache miss that the CPU waits out. A batch instead
/// walks one link of every operation's chain before the next link of any, issuing prefetches
/// whose misses overlap; the operations then run on cached lines. One at a time, a write
/// issues the first stage and a select guesses its records, so that the misses of one
/// operation at least overlap each other. These methods only hint: they change nothing and
/// read only lines that the previous stage brought in (the first reads the set's fields).
extension ScoredSet {
    /// The stages of prefetching for a write of the member hashed `hash`, whose record takes
    /// `recordSize` bytes (at most `MemberRecord.headerSize + LWWSet.maximumMemberLength`,
    /// so the sums below cannot overflow an `Int`). Each line an access touches is
    /// prefetched, the second line of a record that straddles two included. Each stage is a
    /// function of its own, so that a batch's pass runs only its stage's code.
    ///
    /// Slots and order: the lines where probing for the member starts; for the set the
    /// write targets, also where an add stores (the order's end and the record's lines at
    /// the arena's end) and, when the set is at `maxSize` (the size gate and the trim read
    /// its lowest entry), its lowest order entry.
    @inline(__always)
    func prefetchSlotsAndOrder(hash: UInt32, recordSize: Int, isTarget: Bool, maxSize: Int) {
        guard slotCount > 0 else { return }
        let regions = unsafeRegions()
        HashSlots.prefetchProbe(regions.slots.baseAddress.unsafelyUnwrapped, count: regions.slots.count, hash: hash)
        guard isTarget else { return }
        if tail < orderCapacity {
            ringside_prefetch_for_write(regions.order + Int(tail))
        }
        if Int(arenaUsed) &+ recordSize <= Int(arenaCapacity) {
            ringside_prefetch_for_write(regions.arena + Int(arenaUsed))
            ringside_prefetch_for_write(regions.arena + (Int(arenaUsed) &+ recordSize &- 1))
        }
        if isFull(maxSize: maxSize) {
            ringside_prefetch(regions.order + Int(head))
        }
    }

    /// Records: those whose slots carry `hash`'s tag (the ones a member check compares)
    /// and, when there is one, both ends of the order (where a member that moves or leaves
    /// is looked for), and the lowest record's header of a full target; the walk to the
    /// records also tells where the member is not (`WriteProbe.emptySlot`).
    @inline(__always)
    func prefetchRecords(hash: UInt32, recordSize: Int, isTarget: Bool, maxSize: Int) -> WriteProbe {
        guard count > 0 else { return WriteProbe() }
        let regions = unsafeRegions()
        let isFullTarget = isTarget && isFull(maxSize: maxSize)
        var probe = WriteProbe(isFullTarget: isFullTarget)
        // The first slot with the member's tag holds the member but for a 32-bit tag
        // collision, so the walk stops there (the member check finds a rarer one itself).
        // It reads only the lines the first stage prefetched: a walk past them would wait
        // out a miss here (the member check reads on if the member is further on).
        let slots = regions.slots.baseAddress.unsafelyUnwrapped
        var index = HashSlots.home(hash, regions.slots.count)
        let end = min(regions.slots.count, HashSlots.prefetchedProbeEnd(slots, home: index))
        var matched = false
        // `index` stays below `end`, at most the slots' count.
        while index < end, case let slot = slots[index], slot != 0 {
            if HashSlots.hash(slot) == hash {
                let record = regions.arena + Int(HashSlots.handle(slot))
                ringside_prefetch(record)
                ringside_prefetch(record + (recordSize &- 1))
                matched = true
                break
            }
            index &+= 1
        }
        if matched {
            ringside_prefetch(regions.order + Int(head))
            ringside_prefetch(regions.order + (Int(tail) &- 1))
        } else if index < end {
            // Stopped by an empty slot with no tag of the member's before it: the member
            // check would find nothing, and an add would store there.
            probe.emptySlot = Int32(truncatingIfNeeded: index)
        }
        if isFullTarget {
            let lowest = regions.arena + Int(regions.order[Int(head)])
            ringside_prefetch(lowest)
            ringside_prefetch(lowest + MemberRecord.headerSize - 1)
        }
        return probe
    }

    /// Lowest slot: the home slot of a full target's lowest member (the one a trim removes).
    @inline(__always)
    func prefetchLowestSlot(maxSize: Int) {
        guard isFull(maxSize: maxSize) else { return }
        let regions = unsafeRegions()
        let lowest = MemberRecord.hash(regions.arena, regions.order[Int(head)])
        HashSlots.prefetchProbe(regions.slots.baseAddress.unsafelyUnwrapped, count: regions.slots.count, hash: lowest)
    }

    /// Whether the set holds entries, `maxSize` or more: as a write's target, one whose
    /// size gate and trim read its lowest entry.
    @inline(__always)
    private func isFull(maxSize: Int) -> Bool {
        count >= maxSize && count > 0
    }

    /// `WriteProbe.emptySlot` when the records stage learned nothing of the member's place.
    static let unknownSlot: Int32 = -1

    /// Prefetches where the records at descending ranks `offset ..< offset + entries` lie
    /// when the set was written in increasing score order (a timeline's usual case: every
    /// write lands above the top, so the highest records are the newest, at the arena's
    /// end): the arena's last bytes, at the average live record size per rank, for at most
    /// `prefetchedEntries` records. A select one at a time issues this with its read of the
    /// order, so that its record misses overlap the order's miss instead of following it;
    /// where the guess is wrong, it costs a few prefetches and nothing else.
    @inline(__always)
    func prefetchNewestRecords(from offset: Int, entries: Int) {
        guard offset >= 0 && offset < count && entries > 0 else { return }
        let regions = unsafeRegions()
        let average = (Int(arenaUsed) - Int(deadBytes)) / count
        let end = Int(arenaUsed) - offset * average
        let start = max(0, end - min(entries, Self.prefetchedEntries) * average)
        guard end > start else { return }
        var line = start
        while line < end {
            ringside_prefetch(regions.arena + line)
            line += Self.cacheLine
        }
        ringside_prefetch(regions.arena + end - 1)
    }

    /// The most entries of one select that are prefetched (the rest stream in behind them).
    static let prefetchedEntries = 16
    /// The size of a cache line.
    static let cacheLine = 64
}

/// What `ScoredSet.prefetchRecords` learned of one set, for the stages after it.
struct WriteProbe {
    /// Whether the set is a full target (the only kind the last stage has anything to
    /// prefetch for).
    var isFullTarget = false
    /// From the records stage: the first empty slot on the member's probe path when no slot
    /// before it carries the member's tag, so the member is not in the set and an add of it
    /// stores there, both for as long as the set does not change; `ScoredSet.unknownSlot`
    /// otherwise.
    var emptySlot = ScoredSet.unknownSlot
}

/// The prefetch stages after a batch has found each operation's key state.
enum PrefetchStage {
    /// Lines whose addresses the set's fields give: hash slots, order entries, arena end.
    case slotsAndOrder
    /// Records, whose offsets the lines of the first stage hold.
    case records
    /// Hash slots whose place the records of the second stage give (writes only).
    case lowestSlot
}
