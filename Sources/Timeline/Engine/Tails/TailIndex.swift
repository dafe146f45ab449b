/// Which tail slots follow which keys, found without hashing a key with SipHash or looking
/// it up in a dictionary: 4,096 cells over a cheap hash of the key's bytes, each the head of
/// a chain of the slots whose keys fall in it. An applied write whose key's cell is empty
/// has no tail (the common case: most keys are not tailed), so the writer skips the tails
/// at once; one whose cell is not walks its chain (a slot or two), comparing keys.
struct TailIndex {
    private static let cellBits = 12
    /// The first slot of each cell's chain (-1: none).
    private var heads = [Int32](repeating: -1, count: 1 << TailIndex.cellBits)
    /// The slot after each slot in its cell's chain (-1: the last), by slot.
    private var links: [Int32] = []

    /// Whether a tail of `key` may exist (false: certainly none).
    @inline(__always)
    func mayHold(_ key: UnsafeRawBufferPointer) -> Bool {
        heads.withUnsafeBufferPointer { $0[Self.cell(key)] >= 0 }
    }

    /// The first slot of the chain `key` falls in (-1: none); its tails may follow other
    /// keys of the same cell.
    @inline(__always)
    func first(_ key: UnsafeRawBufferPointer) -> Int {
        Int(heads.withUnsafeBufferPointer { $0[Self.cell(key)] })
    }

    /// The slot after `slot` in its chain (-1: none).
    @inline(__always)
    func after(_ slot: Int) -> Int {
        Int(links.withUnsafeBufferPointer { $0[slot] })
    }

    /// Files `slot`, a new tail of `key`, at the end of its cell's chain (tails of a key are
    /// fed in the order they started).
    mutating func add(_ slot: Int, key: UnsafeRawBufferPointer) {
        while links.count <= slot { links.append(-1) }
        links[slot] = -1
        let cell = Self.cell(key)
        guard heads[cell] >= 0 else {
            heads[cell] = Int32(slot)
            return
        }
        var last = Int(heads[cell])
        while links[last] >= 0 { last = Int(links[last]) }
        links[last] = Int32(slot)
    }

    /// Unfiles `slot`, a tail of `key` that ``add(_:key:)`` filed.
    mutating func remove(_ slot: Int, key: UnsafeRawBufferPointer) {
        let cell = Self.cell(key)
        if heads[cell] == Int32(slot) {
            heads[cell] = links[slot]
        } else {
            var previous = Int(heads[cell])
            while previous >= 0 && links[previous] != Int32(slot) { previous = Int(links[previous]) }
            guard previous >= 0 else { return }
            links[previous] = links[slot]
        }
        links[slot] = -1
    }

    /// The key's cell: its first and last eight bytes (or its bytes, when shorter) and its
    /// length, mixed by one multiplication; the top bits pick the cell.
    @inline(__always)
    static func cell(_ key: UnsafeRawBufferPointer) -> Int {
        var mixed = UInt64(truncatingIfNeeded: key.count) &* 0x9E37_79B9_7F4A_7C15
        if key.count >= 8 {
            mixed ^= key.loadUnaligned(as: UInt64.self)
            mixed = (mixed &* 0xBF58_476D_1CE4_E5B9) ^ key.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self)
        } else {
            for index in 0 ..< key.count { mixed = (mixed ^ UInt64(key[index])) &* 0x100_0000_01B3 }
        }
        mixed = (mixed ^ (mixed >> 31)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: mixed >> UInt64(64 - cellBits))
    }
}
