import CRingside

/// Open addressing over tagged 64-bit slots, shared by the key table and every `ScoredSet`:
/// linear probing, at most four fifths full, backward-shift deletion (no tombstones).
///
/// A slot holds a 32-bit hash (the tag, high half) and a 32-bit handle plus one (low half;
/// 0 means empty). The owner keeps whatever a handle names; the tags answer every question
/// about where an entry belongs, so probing past other entries and rehashing never touch
/// the owner's storage, and a lookup reads the owner's bytes only on a full tag match.
/// The slot count need not be a power of two: a hash maps to its home slot by a
/// multiply-shift, so a table can be sized to its owner's capacity.
enum HashSlots {
    /// Prefetches the line of `hash`'s home slot among `count` slots at `slots`, and the
    /// next line too when the home slot is one of the last three of its line (a probe from
    /// there, at most four fifths full, often runs on into the next line).
    @inline(__always)
    static func prefetchProbe(_ slots: UnsafePointer<UInt64>, count: Int, hash: UInt32) {
        let home = UnsafeRawPointer(slots + home(hash, count))
        ringside_prefetch(home)
        // Without a branch (taken for 3 homes in 8, it mispredicted about every other
        // write): the next line when the home's offset in its line is 40 or more, since
        // offset + 24 then reaches 64 (and stays below 128), else the home's line again.
        ringside_prefetch(home + Int((UInt(bitPattern: home) & 63 &+ 24) & 64))
    }

    /// One past the last slot on the lines that `prefetchProbe` prefetches for a probe from
    /// `home` (it may pass the table's end).
    @inline(__always)
    static func prefetchedProbeEnd(_ slots: UnsafePointer<UInt64>, home: Int) -> Int {
        let offset = Int(UInt(bitPattern: slots + home) & 63)
        let lineEnd = home + (64 - offset) / MemoryLayout<UInt64>.stride
        return offset >= 40 ? lineEnd + 64 / MemoryLayout<UInt64>.stride : lineEnd
    }

    /// The number of slots that holds `capacity` handles at most four fifths full.
    static func slotCount(forCapacity capacity: Int) -> Int {
        capacity == 0 ? 0 : capacity + capacity / 4 + 1
    }

    /// The handle in a non-empty slot.
    @inline(__always)
    static func handle(_ slot: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: slot) &- 1 }

    /// The hash in a non-empty slot.
    @inline(__always)
    static func hash(_ slot: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: slot >> 32) }

    /// The slot where probing for `hash` starts, in a table of `count` slots.
    @inline(__always)
    static func home(_ hash: UInt32, _ count: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(hash) &* UInt64(count)) >> 32)
    }

    /// The handle stored under `hash` for which `matches` is true, or nil.
    @inline(__always)
    static func find(
        _ slots: UnsafeMutableBufferPointer<UInt64>, hash: UInt32, matches: (UInt32) -> Bool
    ) -> UInt32? {
        search(slots, hash: hash, matches: matches).handle
    }

    /// `find`, and where its probe ended when it found nothing: the index of the first empty
    /// slot from `hash`'s home, where `insert` would store under `hash` (-1 for no slots).
    @inline(__always)
    static func search(
        _ slots: UnsafeMutableBufferPointer<UInt64>, hash: UInt32, matches: (UInt32) -> Bool
    ) -> (handle: UInt32?, emptyIndex: Int) {
        let count = slots.count
        guard count > 0 else { return (nil, -1) }
        var index = home(hash, count)
        // Every probe index stays below `count`, so its steps cannot overflow (`&+=`: no
        // overflow check in the loop).
        while true {
            let slot = slots[index]
            if slot == 0 { return (nil, index) }
            if Self.hash(slot) == hash && matches(handle(slot)) { return (handle(slot), index) }
            index &+= 1
            if index == count { index = 0 }
        }
    }

    /// Stores `handle` under `hash` (the slots must have room).
    @inline(__always)
    static func insert(_ handle: UInt32, hash: UInt32, in slots: UnsafeMutableBufferPointer<UInt64>) {
        let count = slots.count
        var index = home(hash, count)
        while slots[index] != 0 {
            index &+= 1
            if index == count { index = 0 }
        }
        store(handle, hash: hash, at: index, in: slots)
    }

    /// Stores `handle` under `hash` in the slot at `index`, which must be the first empty
    /// one from `hash`'s home (where `insert` stores it, found by an earlier probe).
    @inline(__always)
    static func store(_ handle: UInt32, hash: UInt32, at index: Int, in slots: UnsafeMutableBufferPointer<UInt64>) {
        slots[index] = UInt64(hash) << 32 | UInt64(handle &+ 1)
    }

    /// Removes `handle`, stored under `hash`, and closes the gap it leaves.
    static func remove(_ handle: UInt32, hash: UInt32, in slots: UnsafeMutableBufferPointer<UInt64>) {
        let count = slots.count
        let wanted = UInt64(hash) << 32 | UInt64(handle &+ 1)
        var hole = home(hash, count)
        while slots[hole] != wanted {
            hole &+= 1
            if hole == count { hole = 0 }
        }
        slots[hole] = 0
        var next = hole
        while true {
            next &+= 1
            if next == count { next = 0 }
            let slot = slots[next]
            if slot == 0 { return }
            // Move the entry back into the hole when the hole lies on its probe path, that
            // is, no further from the entry than its home slot is.
            let home = home(Self.hash(slot), count)
            let fromHome = next >= home ? next - home : next + count - home
            let fromHole = next >= hole ? next - hole : next + count - hole
            if fromHome >= fromHole {
                slots[hole] = slot
                slots[next] = 0
                hole = next
            }
        }
    }

    /// Replaces every stored handle `h` by `transform(h)`, keeping the tags.
    static func remap(_ slots: UnsafeMutableBufferPointer<UInt64>, _ transform: (UInt32) -> UInt32) {
        for index in slots.indices where slots[index] != 0 {
            let slot = slots[index]
            slots[index] = slot & 0xffff_ffff_0000_0000 | UInt64(transform(handle(slot)) &+ 1)
        }
    }

    /// Stores every entry of `old` in `new` (empty, and large enough).
    static func rehash(_ old: UnsafeMutableBufferPointer<UInt64>, into new: UnsafeMutableBufferPointer<UInt64>) {
        for slot in old where slot != 0 {
            insert(handle(slot), hash: hash(slot), in: new)
        }
    }
}
