/// An open-addressing hash index of 32-bit handles (linear probing, backward-shift deletion,
/// at most three quarters full), the membership lookup of a `ScoredSet` and of the key table.
///
/// The index stores only handles; the owner keeps each handle's bytes and hash and answers
/// the index's questions through closures (`matches` when probing, `hashOf` when moving or
/// rehashing), so the index costs 4 bytes a slot.
struct SlotIndex: Sendable {
    /// `handle + 1` per slot, 0 for an empty slot; the count is zero or a power of two.
    private var slots: [UInt32] = []
    /// The number of handles stored.
    private(set) var count = 0

    /// Heap bytes reserved by the index's buffer (see `LWWSet.Statistics.reservedBytes`).
    var reservedBytes: Int { LWWSet.footprint(capacity: slots.capacity, stride: MemoryLayout<UInt32>.stride) }

    /// The stored handle for which `matches` returns true, probing from `hash`'s home slot.
    @inline(__always)
    func find(hash: UInt32, matches: (UInt32) -> Bool) -> UInt32? {
        guard count > 0 else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Int(hash) & mask
            while true {
                let stored = slots[slot]
                if stored == 0 { return nil }
                if matches(stored - 1) { return stored - 1 }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Adds `handle` (not already present) under `hash`, growing when three quarters full.
    mutating func insert(_ handle: UInt32, hash: UInt32, hashOf: (UInt32) -> UInt32) {
        if (count + 1) * 4 > slots.count * 3 {
            grow(hashOf: hashOf)
        }
        slots.withUnsafeMutableBufferPointer { slots in
            Self.place(handle, hash: hash, in: slots)
        }
        count += 1
    }

    /// Removes `handle`, stored under `hash`, and closes the gap it leaves.
    mutating func remove(_ handle: UInt32, hash: UInt32, hashOf: (UInt32) -> UInt32) {
        slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var hole = Int(hash) & mask
            while slots[hole] != handle + 1 {
                hole = (hole + 1) & mask
            }
            slots[hole] = 0
            var next = (hole + 1) & mask
            while slots[next] != 0 {
                let home = Int(hashOf(slots[next] - 1)) & mask
                // Move the entry back into the hole when the hole lies on its probe path.
                if (next - home) & mask >= (next - hole) & mask {
                    slots[hole] = slots[next]
                    slots[next] = 0
                    hole = next
                }
                next = (next + 1) & mask
            }
        }
        count -= 1
    }

    /// Replaces every stored handle `h` by `transform(h)` (slots stay where they are, so the
    /// hash of what each handle names must not change).
    mutating func remap(_ transform: (UInt32) -> UInt32) {
        slots.withUnsafeMutableBufferPointer { slots in
            for slot in slots.indices where slots[slot] != 0 {
                slots[slot] = transform(slots[slot] - 1) + 1
            }
        }
    }

    /// Empties the index, keeping its storage.
    mutating func removeAll() {
        guard count > 0 else { return }
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        count = 0
    }

    /// Doubles the slot count (8 at first) and reinserts every handle.
    private mutating func grow(hashOf: (UInt32) -> UInt32) {
        let old = slots
        slots = Array(repeating: 0, count: max(8, old.count * 2))
        slots.withUnsafeMutableBufferPointer { slots in
            for stored in old where stored != 0 {
                Self.place(stored - 1, hash: hashOf(stored - 1), in: slots)
            }
        }
    }

    /// Stores `handle` in the first empty slot from `hash`'s home slot.
    @inline(__always)
    private static func place(_ handle: UInt32, hash: UInt32, in slots: UnsafeMutableBufferPointer<UInt32>) {
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            slot = (slot + 1) & mask
        }
        slots[slot] = handle + 1
    }
}
