/// The raw storage of a `ScoredSet`: its one buffer of three regions (slots, order, arena),
/// how it is reserved, grown, copied and compacted. The order logic in `ScoredSet.swift`
/// works on the regions this file hands out.
extension ScoredSet {
    /// Heap bytes reserved by the buffer (see `LWWSet.Statistics.reservedBytes`).
    var reservedBytes: Int {
        guard buffer != nil else { return 0 }
        return Self.bufferBytes(slots: Int(slotCount), order: Int(orderCapacity), arena: Int(arenaCapacity))
            + LWWSet.bufferOverhead
    }

    /// The bytes of a buffer with these region sizes (slots and order entries in elements).
    static func bufferBytes(slots: Int, order: Int, arena: Int) -> Int {
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
    mutating func reserve(recordSize: Int) throws(LWWSetError) {
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
    mutating func slideOrderDown() {
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
