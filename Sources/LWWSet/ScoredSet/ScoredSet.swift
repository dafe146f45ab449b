/// One sorted set of unique members with scores: a key's add set or its remove set.
///
/// All of a set lives in one heap buffer of three regions, never an object per element:
/// - slots: the `HashSlots` index, member hash → record, for membership and removal;
/// - order: the live records' offsets sorted ascending by (score, member bytes), in
///   `head ..< tail`; removing the lowest entry only advances `head`;
/// - arena: the members as `MemberRecord`s, appended in write order; a member that leaves
///   is marked dead, and the dead bytes are reclaimed in place when the arena is full and
///   at least half dead.
///
/// The sizes and cursors of the regions live in this struct (inline in the key's state),
/// so a write finds the slot, the top of the order and the end of the arena without first
/// reading the buffer: three independent cache lines.
///
/// The set owns its buffer (noncopyable; `copy()` duplicates it), so it has no reference
/// count to touch: `KeyStates` holds every set of an `LWWSet` and copies them all when
/// the `LWWSet` value is shared and written.
///
/// Appending above the current top (increasing scores, the common case) and trimming the
/// lowest are amortised O(1); an insert elsewhere moves the shorter side of the order.
/// Positions are ascending ranks: 0 is the lowest entry, `count - 1` the top.
struct ScoredSet: ~Copyable, @unchecked Sendable {  // the buffer is owned: never shared
    /// Pointers to the buffer's regions, valid until the set changes its buffer (`reserve`).
    struct Regions {
        let slots: UnsafeMutableBufferPointer<UInt64>
        let order: UnsafeMutablePointer<UInt32>
        let arena: UnsafeMutableRawPointer
    }

    // The fields below are changed only by this file (the order) and ScoredSet+Storage.swift
    // (the buffer); everything else reads them.
    // What a select reads comes first (buffer, order cursors, region sizes), so that with
    // the key's name it lies in the first line of the key's state (see `KeyState`).
    /// The buffer: slots, then order, then arena; nil until the first add.
    var buffer: UnsafeMutableRawPointer?
    /// The order entries in use: `head ..< tail`.
    var head: UInt32 = 0
    var tail: UInt32 = 0
    /// The slots region's length, in slots.
    var slotCount: UInt32 = 0
    /// The most entries the buffer holds: the order region's length.
    var orderCapacity: UInt32 = 0
    /// The score of the top entry, when `count > 0` (kept here so that a write above the
    /// top needs no read of the buffer to know it).
    var topScore = 0.0
    /// The arena region's length, in bytes.
    var arenaCapacity: UInt32 = 0
    /// The arena bytes in use (live and dead records), from its start.
    var arenaUsed: UInt32 = 0
    /// The bytes of dead records below `arenaUsed`.
    var deadBytes: UInt32 = 0

    /// The number of entries.
    var count: Int { Int(tail &- head) }

    /// The total length of the live members' own bytes.
    var memberBytes: Int { Int(arenaUsed &- deadBytes) - count * MemberRecord.headerSize }

    /// The lowest score, or nil when the set is empty.
    var lowestScore: Double? {
        guard count > 0 else { return nil }
        let regions = unsafeRegions()
        return MemberRecord.score(regions.arena, regions.order[Int(head)])
    }

    /// The record holding `member` (whose hash is `hash`), or nil when it is not in the set.
    @inline(__always)
    func find(_ member: UnsafeRawBufferPointer, hash: UInt32) -> UInt32? {
        search(member, hash: hash).record
    }

    /// Where `member` (whose hash is `hash`) is: its record, or where an add of it stores it.
    @inline(__always)
    func search(_ member: UnsafeRawBufferPointer, hash: UInt32) -> MemberSlot {
        guard count > 0 else { return MemberSlot(record: nil, emptySlot: Self.unknownSlot) }
        let regions = unsafeRegions()
        let found = HashSlots.search(regions.slots, hash: hash) { record in
            RawBytes.equal(MemberRecord.member(regions.arena, record), member)
        }
        return MemberSlot(record: found.handle, emptySlot: Int32(truncatingIfNeeded: found.emptyIndex))
    }

    /// The score of the member in `record`.
    @inline(__always)
    func score(of record: UInt32) -> Double {
        MemberRecord.score(unsafeRegions().arena, record)
    }

    /// Where a member is in a set, as a search found it: its record, or (`record` nil) the
    /// first empty slot on its probe path, where an add of it stores it as long as the set
    /// does not change (`unknownSlot` when the search did not say).
    struct MemberSlot {
        /// The record holding the member, or nil when it is not in the set.
        var record: UInt32?
        /// Where an add of a member not in the set stores it, or `unknownSlot`.
        var emptySlot: Int32
    }

    // MARK: Writing

    /// Adds `member`, which is not in the set, at `score`. Throws, changing nothing, when the
    /// arena would pass the 4 GiB that its 32-bit offsets address. `emptySlot`, unless it
    /// is `unknownSlot`, is the first empty slot on the member's probe path, found since
    /// the set last changed (by `search`, or a batch's records stage): the add stores there
    /// without probing, unless it has to reserve room first (which may rehash the slots).
    @inline(__always)
    mutating func add(
        _ member: UnsafeRawBufferPointer, hash: UInt32, score: Double, emptySlot: Int32 = ScoredSet.unknownSlot
    ) throws(LWWSetError) {
        // A buffer's count cannot come near `Int.max`, so the sums below cannot overflow;
        // past the room check, the record ends within the arena, whose length is a UInt32.
        let size = MemberRecord.headerSize &+ member.count
        var emptySlot = emptySlot
        // Room above the top and at the arena's end (the common case) needs no call.
        if tail == orderCapacity || Int(arenaUsed) &+ size > Int(arenaCapacity) {
            try reserve(recordSize: size)
            emptySlot = Self.unknownSlot
        }
        let regions = unsafeRegions()
        let record = arenaUsed
        MemberRecord.write(member, score: score, hash: hash, regions.arena, record)
        arenaUsed &+= UInt32(truncatingIfNeeded: size)
        if emptySlot >= 0 {
            HashSlots.store(record, hash: hash, at: Int(emptySlot), in: regions.slots)
        } else {
            HashSlots.insert(record, hash: hash, in: regions.slots)
        }
        if count == 0 || score > topScore {
            // Above the top (the common case): the order's end has room (see `reserve`).
            regions.order[Int(tail)] = record
            tail &+= 1
            topScore = score
        } else {
            insertIntoOrder(record, score: score, at: lowerBound(score: score, member: member), regions)
        }
        _checkInvariants()
    }

    /// Moves the member in `record` to `score`.
    mutating func setScore(_ score: Double, of record: UInt32) {
        let regions = unsafeRegions()
        removeFromOrder(at: position(of: record), regions)
        MemberRecord.setScore(score, regions.arena, record)
        // A move above the top (a timeline's usual re-insert) needs no search.
        let position = count == 0 || score > topScore
            ? count : lowerBound(score: score, member: MemberRecord.member(regions.arena, record))
        insertIntoOrder(record, score: score, at: position, regions)
        _checkInvariants()
    }

    /// Removes the member in `record`.
    mutating func remove(_ record: UInt32) {
        let regions = unsafeRegions()
        removeFromOrder(at: position(of: record), regions)
        forget(record, regions)
        _checkInvariants()
    }

    /// Drops the lowest entries (lowest score first, then smallest member bytes) until at
    /// most `maxSize` remain.
    @inline(__always)
    mutating func trim(to maxSize: Int) {
        if count > maxSize { trimExcess(to: maxSize) }
    }

    /// `trim(to:)` of a set holding more than `maxSize` entries.
    private mutating func trimExcess(to maxSize: Int) {
        let regions = unsafeRegions()
        while count > maxSize {
            let lowest = regions.order[Int(head)]
            removeFromOrder(at: 0, regions)
            forget(lowest, regions)
        }
        _checkInvariants()
    }

    // MARK: Reading

    /// The number of entries that order below (`score`, `member`): the ascending position at
    /// which that pair is, or would be inserted.
    ///
    /// The search starts at the top, where writes land: a score above the top's costs no
    /// read of the buffer, one below it no read of the top's record (only a tie with the top
    /// compares its member), and a pair k places below the top O(log k) record reads (a
    /// gallop down from the top by 1, 2, 4, ... entries, then a binary search in the last
    /// step's interval). Writes arriving slightly out of order (two producers of interleaved
    /// scores) land one or a few places below the top; a binary search over the whole order
    /// would read O(log count) records for each, every one a dependent miss.
    func lowerBound(score: Double, member: UnsafeRawBufferPointer) -> Int {
        guard count > 0 else { return 0 }
        let regions = unsafeRegions()
        // Writes with increasing scores land above the top: answer those at once.
        if score > topScore { return count }
        let start = Int(head)
        // Invariant: the entries at high ..< tail do not order below the pair, those below
        // low do; the answer is in low ... high. Below the top's score the top entry orders
        // above the pair without a read of its record; only a tie needs its member bytes.
        var high = Int(tail) - 1
        if score == topScore && MemberRecord.orders(regions.arena, regions.order[high], below: score, member) {
            return count
        }
        var low = start
        var step = 1
        while high - start >= step {
            let probe = high - step
            if MemberRecord.orders(regions.arena, regions.order[probe], below: score, member) {
                low = probe + 1
                break
            }
            high = probe
            step &<<= 1
        }
        while low < high {
            let middle = (low + high) / 2
            if MemberRecord.orders(regions.arena, regions.order[middle], below: score, member) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low - start
    }

    /// Replaces the contents of `selection` by the entries at positions `start`, `start - 1`,
    /// ... (highest first): at most `limit` of them, ending before the first one for which
    /// `isPast` returns true (see `SelectRange.select(into:until:)`).
    @inline(__always)
    func select(
        from start: Int, limit: Int, into selection: inout Selection,
        until isPast: (Double, UnsafeRawBufferPointer) -> Bool
    ) {
        SelectRange(self, from: start, limit: limit).select(into: &selection, until: isPast)
    }

    /// Calls `body` with every entry, lowest first. The member bytes are valid only during the call.
    func visitAscending<Failure: Error>(
        _ body: (Double, UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        guard count > 0 else { return }
        let regions = unsafeRegions()
        for slot in Int(head) ..< Int(tail) {
            let record = regions.order[slot]
            try body(MemberRecord.score(regions.arena, record), MemberRecord.member(regions.arena, record))
        }
    }

    /// The ascending position of the live `record`. Small sets scan the order for it from
    /// both ends at once (a few sequential cache lines, where a binary search would read a
    /// record per step; members that move are most often the newest or the oldest);
    /// larger ones check both ends, then search by the record's score and member.
    @inline(__always)
    private func position(of record: UInt32) -> Int {
        let regions = unsafeRegions()
        if count <= Self.scanLimit {
            // The record is in head ..< tail, so one of the two scans meets it.
            var top = Int(tail) - 1
            var bottom = Int(head)
            while true {
                if regions.order[top] == record { return top - Int(head) }
                if regions.order[bottom] == record { return bottom - Int(head) }
                top -= 1
                bottom += 1
            }
        }
        // The two ends first (no record read): `lowerBound` searches down from the top, so
        // the lowest entry, the one a set at its bound moves most, would cost it the most.
        if regions.order[Int(tail) - 1] == record { return count - 1 }
        if regions.order[Int(head)] == record { return 0 }
        return lowerBound(score: MemberRecord.score(regions.arena, record), member: MemberRecord.member(regions.arena, record))
    }

    /// The largest set whose order `position(of:)` scans.
    private static let scanLimit = 512

    /// Puts `record`, whose score is `score`, at ascending `position`, moving the shorter
    /// side of the order (the region must have room at one end; `reserve` or a removal
    /// just before makes it). When the upper side is the shorter one but the region's end
    /// is reached, the entries first slide down over all the room below them, so that the
    /// moves to the top that follow (a set at its bound moves its lowest member to the top
    /// again and again) append instead of each moving the whole order by one entry.
    private mutating func insertIntoOrder(_ record: UInt32, score: Double, at position: Int, _ regions: Regions) {
        if tail == orderCapacity && head > 0 && position >= count - position {
            slideOrderDown()
        }
        let start = Int(head)
        let raw = UnsafeMutableRawPointer(regions.order)
        let stride = MemoryLayout<UInt32>.stride
        if position == count {
            topScore = score
        }
        // The moves skip the call when there is nothing to move: a write above the top
        // (the common case) and a trim of the lowest move no entry.
        if head > 0 && (position < count - position || tail == orderCapacity) {
            if position > 0 {
                (raw + (start - 1) * stride).copyMemory(from: raw + start * stride, byteCount: position * stride)
            }
            regions.order[start - 1 + position] = record
            head -= 1
        } else {
            let at = start + position
            if at < Int(tail) {
                (raw + (at + 1) * stride).copyMemory(from: raw + at * stride, byteCount: (Int(tail) - at) * stride)
            }
            regions.order[at] = record
            tail += 1
        }
    }

    /// Takes the entry at ascending `position` out of the order, moving the shorter side.
    @inline(__always)
    private mutating func removeFromOrder(at position: Int, _ regions: Regions) {
        let start = Int(head)
        let raw = UnsafeMutableRawPointer(regions.order)
        let stride = MemoryLayout<UInt32>.stride
        if position < count - 1 - position {
            if position > 0 {
                (raw + (start + 1) * stride).copyMemory(from: raw + start * stride, byteCount: position * stride)
            }
            head += 1
        } else {
            let at = start + position
            if at + 1 < Int(tail) {
                (raw + at * stride).copyMemory(from: raw + (at + 1) * stride, byteCount: (Int(tail) - at - 1) * stride)
            }
            tail -= 1
            if position == count && count > 0 {
                topScore = MemberRecord.score(regions.arena, regions.order[Int(tail) - 1])
            }
        }
    }

    /// Drops `record`, already out of the order, from the slots and marks it dead; an
    /// emptied set starts its regions over.
    @inline(__always)
    private mutating func forget(_ record: UInt32, _ regions: Regions) {
        HashSlots.remove(record, hash: MemberRecord.hash(regions.arena, record), in: regions.slots)
        deadBytes += UInt32(MemberRecord.size(lengthField: MemberRecord.lengthField(regions.arena, record)))
        MemberRecord.markDead(regions.arena, record)
        if count == 0 {
            head = 0
            tail = 0
            arenaUsed = 0
            deadBytes = 0
        }
    }

    deinit {
        buffer?.deallocate()
    }
}
