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

    /// The buffer: slots, then order, then arena; nil until the first add.
    private var buffer: UnsafeMutableRawPointer?
    /// The score of the top entry, when `count > 0` (kept here so that a write above the
    /// top needs no read of the buffer to know it).
    private var topScore = 0.0
    private(set) var slotCount: UInt32 = 0
    /// The most entries the buffer holds: the order region's length.
    private(set) var orderCapacity: UInt32 = 0
    private(set) var arenaCapacity: UInt32 = 0
    private(set) var head: UInt32 = 0
    private(set) var tail: UInt32 = 0
    private(set) var arenaUsed: UInt32 = 0
    private var deadBytes: UInt32 = 0

    /// The number of entries.
    var count: Int { Int(tail &- head) }

    /// The total length of the live members' own bytes.
    var memberBytes: Int { Int(arenaUsed &- deadBytes) - count * MemberRecord.headerSize }

    /// Heap bytes reserved by the buffer (see `LWWSet.Statistics.reservedBytes`).
    var reservedBytes: Int {
        guard buffer != nil else { return 0 }
        return Self.bufferBytes(slots: Int(slotCount), order: Int(orderCapacity), arena: Int(arenaCapacity))
            + LWWSet.bufferOverhead
    }

    /// The lowest score, or nil when the set is empty.
    var lowestScore: Double? {
        guard count > 0 else { return nil }
        let regions = unsafeRegions()
        return MemberRecord.score(regions.arena, regions.order[Int(head)])
    }

    /// The record holding `member` (whose hash is `hash`), or nil when it is not in the set.
    @inline(__always)
    func find(_ member: UnsafeRawBufferPointer, hash: UInt32) -> UInt32? {
        guard count > 0 else { return nil }
        let regions = unsafeRegions()
        return HashSlots.find(regions.slots, hash: hash) { record in
            RawBytes.equal(MemberRecord.member(regions.arena, record), member)
        }
    }

    /// The score of the member in `record`.
    @inline(__always)
    func score(of record: UInt32) -> Double {
        MemberRecord.score(unsafeRegions().arena, record)
    }

    // MARK: Writing

    /// Adds `member`, which is not in the set, at `score`. Throws, changing nothing, when the
    /// arena would pass the 4 GiB that its 32-bit offsets address.
    mutating func add(_ member: UnsafeRawBufferPointer, hash: UInt32, score: Double) throws(LWWSetError) {
        let size = MemberRecord.headerSize + member.count
        try reserve(recordSize: size)
        let regions = unsafeRegions()
        let record = arenaUsed
        MemberRecord.write(member, score: score, hash: hash, regions.arena, record)
        arenaUsed += UInt32(size)
        HashSlots.insert(record, hash: hash, in: regions.slots)
        insertIntoOrder(record, score: score, at: lowerBound(score: score, member: member), regions)
    }

    /// Moves the member in `record` to `score`.
    mutating func setScore(_ score: Double, of record: UInt32) {
        let regions = unsafeRegions()
        removeFromOrder(at: position(of: record), regions)
        MemberRecord.setScore(score, regions.arena, record)
        insertIntoOrder(record, score: score, at: lowerBound(score: score, member: MemberRecord.member(regions.arena, record)), regions)
    }

    /// Removes the member in `record`.
    mutating func remove(_ record: UInt32) {
        let regions = unsafeRegions()
        removeFromOrder(at: position(of: record), regions)
        forget(record, regions)
    }

    /// Drops the lowest entries (lowest score first, then smallest member bytes) until at
    /// most `maxSize` remain.
    mutating func trim(to maxSize: Int) {
        guard count > maxSize else { return }
        let regions = unsafeRegions()
        while count > maxSize {
            let lowest = regions.order[Int(head)]
            removeFromOrder(at: 0, regions)
            forget(lowest, regions)
        }
    }

    // MARK: Reading

    /// The number of entries that order below (`score`, `member`): the ascending position at
    /// which that pair is, or would be inserted.
    func lowerBound(score: Double, member: UnsafeRawBufferPointer) -> Int {
        guard count > 0 else { return 0 }
        let regions = unsafeRegions()
        // Writes with increasing scores land above the top: answer those at once.
        if score > topScore { return count }
        var low = Int(head)
        var high = Int(tail)
        if MemberRecord.orders(regions.arena, regions.order[high - 1], below: score, member) {
            return count
        }
        while low < high {
            let middle = (low + high) / 2
            if MemberRecord.orders(regions.arena, regions.order[middle], below: score, member) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low - Int(head)
    }

    /// Replaces the contents of `selection` by the entries at positions `start`, `start - 1`,
    /// ... (highest first): at most `limit` of them, ending before the first one for which
    /// `isPast` returns true. One pass measures, one copies, so the selection's storage is
    /// checked once, not once per entry.
    @inline(__always)
    func select(
        from start: Int, limit: Int, into selection: inout Selection,
        until isPast: (Double, UnsafeRawBufferPointer) -> Bool
    ) {
        guard start >= 0 && start < count && limit > 0 else {
            selection.unsafeReplace(entries: 0, memberBytes: 0) { _, _ in }
            return
        }
        let regions = unsafeRegions()
        let top = Int(head) + start
        let floor = max(Int(head), top - limit + 1)
        var entries = 0
        var memberBytes = 0
        var slot = top
        while slot >= floor {
            let record = regions.order[slot]
            let member = MemberRecord.member(regions.arena, record)
            if isPast(MemberRecord.score(regions.arena, record), member) { break }
            entries += 1
            memberBytes += member.count
            slot -= 1
        }
        selection.unsafeReplace(entries: entries, memberBytes: memberBytes) { marks, bytes in
            var end = 0
            for index in 0 ..< entries {
                let record = regions.order[top - index]
                let member = MemberRecord.member(regions.arena, record)
                if let bytes {
                    RawBytes.copy(member, to: bytes + end)
                }
                end += member.count
                marks[index] = Selection.Mark(end: end, score: MemberRecord.score(regions.arena, record))
            }
        }
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

    // MARK: Storage

    /// The bytes of a buffer with these region sizes (slots and order entries in elements).
    private static func bufferBytes(slots: Int, order: Int, arena: Int) -> Int {
        slots * MemoryLayout<UInt64>.stride + order * MemoryLayout<UInt32>.stride + arena
    }

    /// The regions of the current buffer, which must exist. The pointers stay valid until
    /// `reserve` replaces the buffer.
    @inline(__always)
    func unsafeRegions() -> Regions {
        let base = buffer.unsafelyUnwrapped
        let orderStart = base + Int(slotCount) * MemoryLayout<UInt64>.stride
        return Regions(
            slots: UnsafeMutableBufferPointer(start: base.assumingMemoryBound(to: UInt64.self), count: Int(slotCount)),
            order: orderStart.assumingMemoryBound(to: UInt32.self),
            arena: orderStart + Int(orderCapacity) * MemoryLayout<UInt32>.stride)
    }

    /// A set holding the same entries in a buffer of its own (the same layout, byte for byte).
    func copy() -> ScoredSet {
        var copy = ScoredSet()
        copy.topScore = topScore
        copy.slotCount = slotCount
        copy.orderCapacity = orderCapacity
        copy.arenaCapacity = arenaCapacity
        copy.head = head
        copy.tail = tail
        copy.arenaUsed = arenaUsed
        copy.deadBytes = deadBytes
        if let buffer {
            let bytes = Self.bufferBytes(slots: Int(slotCount), order: Int(orderCapacity), arena: Int(arenaCapacity))
            let fresh = Self.allocateBuffer(bytes: bytes)
            fresh.copyMemory(from: buffer, byteCount: bytes)
            copy.buffer = fresh
        }
        return copy
    }

    deinit {
        buffer?.deallocate()
    }

    /// An uninitialised buffer of `bytes` bytes, aligned for the slots' 64-bit words.
    private static func allocateBuffer(bytes: Int) -> UnsafeMutableRawPointer {
        .allocate(byteCount: bytes, alignment: MemoryLayout<UInt64>.alignment)
    }

    /// Makes room for one more entry whose record takes
    /// `recordSize` bytes: a free order entry above the top (sliding the entries down over
    /// the space left by trimmed ones when that is at least half of them), and arena space
    /// (reclaiming dead records first when at least half are dead). Growing sizes every
    /// region for twice as many entries, so the regions grow together, once per step
    /// (doubling rather than 1.5x: fewer copies and rehashes, and in the lab no more memory).
    private mutating func reserve(recordSize: Int) throws(LWWSetError) {
        let live = Int(arenaUsed) - Int(deadBytes)
        guard live + recordSize <= Int(UInt32.max) else {
            throw .capacityExceeded(arenaBytes: live, adding: recordSize)
        }
        var capacity = Int(orderCapacity)
        if tail == orderCapacity {
            if head > 0 && Int(head) * 2 >= count {
                slideOrderDown()
            } else {
                capacity = max(8, 2 * capacity)
            }
        }
        var arena = Int(arenaCapacity)
        if Int(arenaUsed) + recordSize > arena {
            if deadBytes > 0 && Int(deadBytes) * 2 >= Int(arenaUsed) {
                compact()
            }
            if Int(arenaUsed) + recordSize > arena {
                arena = max(Int(arenaUsed) + recordSize, 2 * arena)
            }
        }
        if capacity != Int(orderCapacity) {
            // Room for the new entries at the average record size so far.
            let average = (live + recordSize) / (count + 1)
            arena = max(arena, Int(arenaUsed) + recordSize + average * (capacity - count - 1))
        }
        if capacity != Int(orderCapacity) || arena != Int(arenaCapacity) {
            reallocate(capacity: capacity, arena: min(arena, Int(UInt32.max)))
        }
    }

    /// Moves the live order entries to the start of the order region.
    private mutating func slideOrderDown() {
        let regions = unsafeRegions()
        let stride = MemoryLayout<UInt32>.stride
        UnsafeMutableRawPointer(regions.order).copyMemory(from: regions.order + Int(head), byteCount: count * stride)
        tail = UInt32(count)
        head = 0
    }

    /// Replaces the buffer by a new one for `capacity` entries and `arena` arena bytes,
    /// holding the same entries at the same arena offsets, the order entries moved to the
    /// start of their region.
    private mutating func reallocate(capacity: Int, arena: Int) {
        let slots = HashSlots.slotCount(forCapacity: capacity)
        let bytes = Self.bufferBytes(slots: slots, order: capacity, arena: arena)
        let fresh = Self.allocateBuffer(bytes: bytes)
        let newWords = fresh.initializeMemory(as: UInt64.self, repeating: 0, count: slots)
        let newOrder = UnsafeMutableRawPointer(newWords + slots).bindMemory(to: UInt32.self, capacity: capacity)
        let newArena = UnsafeMutableRawPointer(newOrder + capacity).bindMemory(to: UInt8.self, capacity: arena)
        if let old = buffer.map({ _ in unsafeRegions() }) {
            newOrder.initialize(from: old.order + Int(head), count: count)
            UnsafeMutableRawPointer(newArena).copyMemory(from: old.arena, byteCount: Int(arenaUsed))
            let newSlots = UnsafeMutableBufferPointer(start: newWords, count: slots)
            if slots == Int(slotCount) {
                _ = newSlots.update(fromContentsOf: old.slots)
            } else {
                HashSlots.rehash(old.slots, into: newSlots)
            }
        }
        buffer?.deallocate()
        buffer = fresh
        tail = UInt32(count)
        head = 0
        slotCount = UInt32(slots)
        orderCapacity = UInt32(capacity)
        arenaCapacity = UInt32(arena)
    }

    /// The ascending position of the live `record`. Small sets scan the order for it from
    /// both ends at once (a few sequential cache lines, where a binary search would read a
    /// record per step; members that move are most often the newest or the oldest);
    /// larger ones search by the record's score and member.
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
        return lowerBound(score: MemberRecord.score(regions.arena, record), member: MemberRecord.member(regions.arena, record))
    }

    /// The largest set whose order `position(of:)` scans.
    private static let scanLimit = 512

    /// Puts `record`, whose score is `score`, at ascending `position`, moving the shorter
    /// side of the order (the region must have room at one end; `reserve` or a removal
    /// just before makes it).
    private mutating func insertIntoOrder(_ record: UInt32, score: Double, at position: Int, _ regions: Regions) {
        let start = Int(head)
        let raw = UnsafeMutableRawPointer(regions.order)
        let stride = MemoryLayout<UInt32>.stride
        if position == count {
            topScore = score
        }
        if head > 0 && (position < count - position || tail == orderCapacity) {
            (raw + (start - 1) * stride).copyMemory(from: raw + start * stride, byteCount: position * stride)
            regions.order[start - 1 + position] = record
            head -= 1
        } else {
            let at = start + position
            (raw + (at + 1) * stride).copyMemory(from: raw + at * stride, byteCount: (Int(tail) - at) * stride)
            regions.order[at] = record
            tail += 1
        }
    }

    /// Takes the entry at ascending `position` out of the order, moving the shorter side.
    private mutating func removeFromOrder(at position: Int, _ regions: Regions) {
        let start = Int(head)
        let raw = UnsafeMutableRawPointer(regions.order)
        let stride = MemoryLayout<UInt32>.stride
        if position < count - 1 - position {
            (raw + (start + 1) * stride).copyMemory(from: raw + start * stride, byteCount: position * stride)
            head += 1
        } else {
            let at = start + position
            (raw + at * stride).copyMemory(from: raw + (at + 1) * stride, byteCount: (Int(tail) - at - 1) * stride)
            tail -= 1
            if position == count && count > 0 {
                topScore = MemberRecord.score(regions.arena, regions.order[Int(tail) - 1])
            }
        }
    }

    /// Drops `record`, already out of the order, from the slots and marks it dead; an
    /// emptied set starts its regions over.
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

    /// Slides the live records to the front of the arena, in place: each live record's new
    /// offset goes into its hash field, the order and slots are forwarded, the records
    /// move, and their hashes are restored from the slots' tags.
    private mutating func compact() {
        let regions = unsafeRegions()
        let arena = regions.arena
        var live = 0
        var record = 0
        while record < Int(arenaUsed) {
            let field = MemberRecord.lengthField(arena, UInt32(record))
            if field & MemberRecord.deadFlag == 0 {
                MemberRecord.setHash(UInt32(live), arena, UInt32(record))
                live += MemberRecord.size(lengthField: field)
            }
            record += MemberRecord.size(lengthField: field)
        }
        for slot in Int(head) ..< Int(tail) {
            regions.order[slot] = MemberRecord.hash(arena, regions.order[slot])
        }
        HashSlots.remap(regions.slots) { MemberRecord.hash(arena, $0) }
        record = 0
        while record < Int(arenaUsed) {
            let field = MemberRecord.lengthField(arena, UInt32(record))
            let size = MemberRecord.size(lengthField: field)
            if field & MemberRecord.deadFlag == 0 {
                let destination = Int(MemberRecord.hash(arena, UInt32(record)))
                (arena + destination).copyMemory(from: arena + record, byteCount: size)
            }
            record += size
        }
        for slot in regions.slots where slot != 0 {
            MemberRecord.setHash(HashSlots.hash(slot), arena, HashSlots.handle(slot))
        }
        arenaUsed = UInt32(live)
        deadBytes = 0
    }
}
