/// Open addressing over tagged 64-bit slots, shared by the key table and every `ScoredSet`:
/// linear probing, at most three quarters full, backward-shift deletion (no tombstones).
///
/// A slot holds a 32-bit hash (the tag, high half) and a 32-bit handle plus one (low half;
/// 0 means empty). The owner keeps whatever a handle names; the tags answer every question
/// about where an entry belongs, so probing past other entries and rehashing never touch
/// the owner's storage, and a lookup reads the owner's bytes only on a full tag match.
enum HashSlots {
    /// The number of slots needed to hold `count` handles (0, or a power of two from 8).
    static func slotCount(toHold count: Int) -> Int {
        guard count > 0 else { return 0 }
        var slots = 8
        while count * 4 > slots * 3 { slots *= 2 }
        return slots
    }

    /// The handle in a non-empty slot.
    @inline(__always)
    static func handle(_ slot: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: slot) &- 1 }

    /// The hash in a non-empty slot.
    @inline(__always)
    static func hash(_ slot: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: slot >> 32) }

    /// The handle stored under `hash` for which `matches` is true, or nil.
    @inline(__always)
    static func find(
        _ slots: UnsafeMutableBufferPointer<UInt64>, hash: UInt32, matches: (UInt32) -> Bool
    ) -> UInt32? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var index = Int(hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return nil }
            if Self.hash(slot) == hash && matches(handle(slot)) { return handle(slot) }
            index = (index + 1) & mask
        }
    }

    /// Stores `handle` under `hash` (the slots must have room).
    @inline(__always)
    static func insert(_ handle: UInt32, hash: UInt32, in slots: UnsafeMutableBufferPointer<UInt64>) {
        let mask = slots.count - 1
        var index = Int(hash) & mask
        while slots[index] != 0 {
            index = (index + 1) & mask
        }
        slots[index] = UInt64(hash) << 32 | UInt64(handle &+ 1)
    }

    /// Removes `handle`, stored under `hash`, and closes the gap it leaves.
    static func remove(_ handle: UInt32, hash: UInt32, in slots: UnsafeMutableBufferPointer<UInt64>) {
        let mask = slots.count - 1
        let wanted = UInt64(hash) << 32 | UInt64(handle &+ 1)
        var hole = Int(hash) & mask
        while slots[hole] != wanted {
            hole = (hole + 1) & mask
        }
        slots[hole] = 0
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(Self.hash(slots[next])) & mask
            // Move the entry back into the hole when the hole lies on its probe path.
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                slots[next] = 0
                hole = next
            }
            next = (next + 1) & mask
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
