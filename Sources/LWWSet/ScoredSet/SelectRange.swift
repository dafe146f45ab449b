import CRingside

/// The entries of one `ScoredSet` that a select may copy, highest first: where the highest
/// one's order entry and the arena lie, and how many entries at most.
///
/// Working it out reads the set's fields (on the key state's first line); the prefetches
/// of a batch and the copy then use only these pointers, so a batch works it out once per
/// select, in the pass that reads the state, instead of in every pass after it. Valid
/// while the set is unchanged (for the whole of a select or a batch of selects).
struct SelectRange {
    /// The order entry of the highest entry; those below it follow at lower addresses.
    private var top: UnsafePointer<UInt32>?
    /// The arena, which the order's entries are offsets into.
    private var arena: UnsafeRawPointer?
    /// The most entries selected (0: none, and then the pointers are nil; otherwise neither is).
    private var entries = 0

    /// A range of no entries: an unknown key, or ranks past the end of the set.
    init() {}

    /// The range of at most `limit` entries down from ascending position `start` of `set`,
    /// or the empty one when `start` is not a position of the set or `limit` is 0.
    @inline(__always)
    init(_ set: borrowing ScoredSet, from start: Int, limit: Int) {
        guard start >= 0 && start < set.count && limit > 0 else { return }
        let regions = set.unsafeRegions()
        let top = Int(set.head) &+ start
        // Positions run from top down to floor, all in head ..< tail: no overflow.
        let floor = max(Int(set.head), top &- limit &+ 1)
        self.top = UnsafePointer(regions.order + top)
        self.arena = UnsafeRawPointer(regions.arena)
        self.entries = top &- floor &+ 1
    }

    /// Prefetches the order entries of the first `prefetchedEntries`: at most 64 bytes of
    /// 4-byte entries, so the lines of both ends.
    @inline(__always)
    func prefetchOrder() {
        guard entries > 0 else { return }
        let top = top.unsafelyUnwrapped
        ringside_prefetch(top)
        ringside_prefetch(top - (min(entries, ScoredSet.prefetchedEntries) &- 1))
    }

    /// Prefetches the records of the first `prefetchedEntries` (their order entries must
    /// have arrived: this reads them): the line where each starts and, for the highest, the
    /// line after it too. Records written one after another (a timeline's, scores
    /// increasing) lie below the highest, each ending on the line where the one above it
    /// starts; only the highest one's end, when it straddles two lines, is on no other's.
    @inline(__always)
    func prefetchRecords() {
        guard entries > 0 else { return }
        let top = top.unsafelyUnwrapped
        let arena = arena.unsafelyUnwrapped
        ringside_prefetch(arena + Int(top.pointee) + ScoredSet.cacheLine - 1)
        var entry = top
        let end = top - min(entries, ScoredSet.prefetchedEntries)
        while entry != end {
            ringside_prefetch(arena + Int(entry.pointee))
            entry -= 1
        }
    }

    /// Replaces the contents of `selection` by the range's entries, highest first, ending
    /// before the first one for which `isPast` returns true. One pass copies them into the
    /// selection's storage as it is; only when they might not fit (more marks than it has
    /// room for, or more member bytes) does a second pass measure them, grow the storage
    /// once and copy again.
    @inline(__always)
    func select(into selection: inout Selection, until isPast: (Double, UnsafeRawBufferPointer) -> Bool) {
        if copy(into: &selection, until: isPast) { return }
        var measured = self
        measured.entries = 0
        var memberBytes = 0
        while measured.entries < entries {
            let record = top.unsafelyUnwrapped[-measured.entries]
            let member = MemberRecord.member(arena.unsafelyUnwrapped, record)
            if isPast(MemberRecord.score(arena.unsafelyUnwrapped, record), member) { break }
            memberBytes += member.count
            measured.entries += 1
        }
        selection.reserve(entries: measured.entries, memberBytes: memberBytes)
        // The entries and bytes measured now fit, so this copies them all.
        _ = measured.copy(into: &selection, until: isPast)
    }

    /// Copies the entries into `selection`'s storage as it is, as `select(into:until:)`
    /// selects them; returns false, the selection left empty, when they might not fit.
    @inline(__always)
    private func copy(into selection: inout Selection, until isPast: (Double, UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard entries > 0 else {
            selection.removeAll()
            return true
        }
        let top = top.unsafelyUnwrapped
        let arena = arena.unsafelyUnwrapped
        let entries = entries
        return selection.unsafeReplace(atMost: entries) { marks, bytes in
            // An array's buffer has an address even when it is empty.
            let base = bytes.baseAddress.unsafelyUnwrapped
            var room = bytes.count
            var end = 0
            var mark = marks
            var entry = top
            let last = top - entries
            while entry != last {
                let record = entry.pointee
                let member = MemberRecord.member(arena, record)
                let score = MemberRecord.score(arena, record)
                if isPast(score, member) { break }
                room &-= member.count
                guard room >= 0 else { return nil }
                if member.count == MemoryLayout<SIMD16<UInt8>>.size {
                    // The usual member (a 16-byte id): one vector move, at fixed offsets.
                    (base + end).storeBytes(of: member.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                } else {
                    RawBytes.copy(member, to: base + end)
                }
                end &+= member.count
                mark.storeBytes(of: Selection.Mark(end: end, score: score), as: Selection.Mark.self)
                mark += MemoryLayout<Selection.Mark>.stride
                entry -= 1
            }
            return (top - entry, end)
        }
    }
}
