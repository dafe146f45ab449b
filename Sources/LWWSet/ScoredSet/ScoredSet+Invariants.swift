/// Internal consistency checks of a `ScoredSet`, in the manner of swift-collections'
/// `COLLECTIONS_INTERNAL_CHECKS`: compiled in when the `LWWSET_INTERNAL_CHECKS` condition is
/// set (debug builds of the package, so every test run), and an empty inlined function
/// otherwise. Every mutation of a set calls `_checkInvariants()` as its last step.
extension ScoredSet {
    #if LWWSET_INTERNAL_CHECKS
    /// Whether `_checkInvariants()` checks anything in this build.
    static let isCheckingInvariants = true

    /// Traps unless the slots, the order and the arena agree and every size is within its
    /// capacity. O(count + arena bytes); allocates nothing, so allocation tests can
    /// run with it.
    func _checkInvariants() {
        guard buffer != nil else {
            precondition(slotCount == 0 && orderCapacity == 0 && arenaCapacity == 0, "ScoredSet: sizes without a buffer")
            precondition(head == 0 && tail == 0 && arenaUsed == 0 && deadBytes == 0, "ScoredSet: contents without a buffer")
            return
        }
        // Sizes within capacities.
        precondition(head <= tail && tail <= orderCapacity, "ScoredSet: order \(head)..<\(tail) past \(orderCapacity)")
        precondition(arenaUsed <= arenaCapacity, "ScoredSet: arena use \(arenaUsed) past \(arenaCapacity)")
        precondition(deadBytes <= arenaUsed, "ScoredSet: dead bytes \(deadBytes) past use \(arenaUsed)")
        precondition(Int(slotCount) == HashSlots.slotCount(forCapacity: Int(orderCapacity)), "ScoredSet: slot count")
        let regions = unsafeRegions()
        if count == 0 {
            precondition(arenaUsed == 0 && deadBytes == 0 && head == 0 && tail == 0, "ScoredSet: an empty set not reset")
        }

        // The arena: records back to back up to `arenaUsed`; live ones number `count`, and
        // each is what the slots find for its member; dead ones add up to `deadBytes`.
        var live = 0
        var dead = 0
        var record = 0
        while record < Int(arenaUsed) {
            precondition(record + MemberRecord.headerSize <= Int(arenaUsed), "ScoredSet: record header past the arena use")
            let field = MemberRecord.lengthField(regions.arena, UInt32(record))
            let size = MemberRecord.size(lengthField: field)
            precondition(record + size <= Int(arenaUsed), "ScoredSet: record at \(record) past the arena use")
            if field & MemberRecord.deadFlag == 0 {
                precondition(isIndexed(UInt32(record), regions), "ScoredSet: live record \(record) not found by its member")
                live += 1
            } else {
                dead += size
            }
            record += size
        }
        precondition(live == count, "ScoredSet: \(live) live records for \(count) entries")
        precondition(dead == Int(deadBytes), "ScoredSet: dead records \(dead) B, counted \(deadBytes) B")

        // The slots: one per entry. With the walk above, their handles are exactly the live
        // records (each live record is found, so names a slot of its own).
        var indexed = 0
        for slot in regions.slots where slot != 0 {
            indexed += 1
        }
        precondition(indexed == count, "ScoredSet: \(indexed) slots for \(count) entries")

        // The order: strictly ascending by (score, member bytes), so its records are distinct,
        // each one a live record as the slots find it; the top's score cached.
        var previous: UInt32?
        for slot in Int(head) ..< Int(tail) {
            let record = regions.order[slot]
            precondition(
                Int(record) + MemberRecord.headerSize <= Int(arenaUsed)
                    && Int(record) + MemberRecord.size(lengthField: MemberRecord.lengthField(regions.arena, record)) <= Int(arenaUsed),
                "ScoredSet: order entry \(slot) points past the arena use")
            precondition(isIndexed(record, regions), "ScoredSet: order entry \(slot) is not a live record")
            if let previous {
                precondition(
                    MemberRecord.orders(
                        regions.arena, previous, below: MemberRecord.score(regions.arena, record),
                        MemberRecord.member(regions.arena, record)),
                    "ScoredSet: order not strictly ascending at \(slot)")
            }
            previous = record
        }
        if let top = previous {
            precondition(MemberRecord.score(regions.arena, top).bitPattern == topScore.bitPattern, "ScoredSet: stale top score")
        }
    }

    /// Whether `record` is live and is the record the slots find for its member and hash.
    private func isIndexed(_ record: UInt32, _ regions: Regions) -> Bool {
        MemberRecord.lengthField(regions.arena, record) & MemberRecord.deadFlag == 0
            && find(MemberRecord.member(regions.arena, record), hash: MemberRecord.hash(regions.arena, record)) == record
    }
    #else
    /// Whether `_checkInvariants()` checks anything in this build.
    static let isCheckingInvariants = false

    /// Checks nothing: internal checks are compiled out of this build.
    @inline(__always)
    func _checkInvariants() {}
    #endif
}
