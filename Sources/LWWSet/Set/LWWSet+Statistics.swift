extension LWWSet {
    /// Counts and memory of a set, from `LWWSet.statistics`.
    public struct Statistics: Sendable, Hashable {
        /// Keys that hold at least one entry (visible or tombstone).
        public var keys: Int
        /// Visible entries, over all keys.
        public var entries: Int
        /// Tombstones, over all keys.
        public var tombstones: Int
        /// The members' own bytes, over every visible entry and tombstone.
        public var memberBytes: Int
        /// Heap bytes reserved for the set's storage, by capacity: every buffer's capacity
        /// times its element size, plus `LWWSet.arrayOverhead` per array buffer (the key
        /// states' buffer counts as one) and `LWWSet.bufferOverhead` per set buffer. Space reserved but not yet used counts;
        /// malloc's rounding of sizes does not.
        public var reservedBytes: Int
    }

    /// The counts of ``Statistics`` alone, which the set keeps as it goes: read in O(1),
    /// where `statistics` walks every key for the bytes.
    public struct Counts: Sendable, Hashable {
        /// Keys that hold at least one entry (visible or tombstone).
        public var keys: Int
        /// Visible entries, over all keys.
        public var entries: Int
        /// Tombstones, over all keys.
        public var tombstones: Int
    }

    /// The set's keys, visible entries and tombstones, in O(1).
    public var counts: Counts {
        Counts(keys: keys.count, entries: entries, tombstones: tombstones)
    }

    /// Bytes counted per array buffer beyond its elements: a Swift array's 32-byte header
    /// (object header, count, capacity) and a 16-byte malloc chunk header.
    public static let arrayOverhead = 48

    /// Bytes counted per buffer that is not an array's (the key states, each set's
    /// regions) beyond its contents: a 16-byte malloc chunk header.
    public static let bufferOverhead = 16

    /// The set's counts (O(1)) and reserved memory (O(keys)).
    public var statistics: Statistics {
        var memberBytes = 0
        // The key states: counted as an array (its object as the array's header).
        var reserved = keys.reservedBytes + Self.footprint(capacity: states.capacity, stride: MemoryLayout<KeyState>.stride)
        for number in 0 ..< states.count {
            let state = unsafeState(number)
            memberBytes += state.pointee.add.memberBytes + state.pointee.remove.memberBytes
            reserved += state.pointee.add.reservedBytes + state.pointee.remove.reservedBytes
        }
        let counts = counts
        return Statistics(
            keys: counts.keys, entries: counts.entries, tombstones: counts.tombstones, memberBytes: memberBytes,
            reservedBytes: reserved)
    }

    /// The bytes a buffer of `capacity` elements of `stride` bytes reserves on the heap.
    static func footprint(capacity: Int, stride: Int) -> Int {
        capacity == 0 ? 0 : capacity * stride + arrayOverhead
    }
}
