/// Which keys may have tails, answered without hashing a key into the tail table: a
/// counting filter of 4,096 cells over a cheap hash of the key's bytes. An applied write
/// whose key's cell is zero has no tail (the common case: most keys are not tailed), so the
/// writer skips the table lookup; a non-zero cell sends it to the table, which decides.
/// Counts, not bits, so that removing a tail clears its cell once no other tail maps there.
struct TailFilter {
    private static let cellBits = 12
    private var cells = [UInt32](repeating: 0, count: 1 << TailFilter.cellBits)

    /// Whether a tail of `key` may exist (false: certainly none).
    @inline(__always)
    func mayHold(_ key: UnsafeRawBufferPointer) -> Bool {
        cells.withUnsafeBufferPointer { $0[Self.cell(key)] != 0 }
    }

    /// Counts a new tail of `key`.
    mutating func add(_ key: UnsafeRawBufferPointer) {
        cells[Self.cell(key)] += 1
    }

    /// Forgets a tail of `key` (one that `add` counted).
    mutating func remove(_ key: UnsafeRawBufferPointer) {
        let cell = Self.cell(key)
        if cells[cell] > 0 { cells[cell] -= 1 }
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
