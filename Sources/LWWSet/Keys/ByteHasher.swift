/// A seeded 32-bit hash of byte strings for the set's internal hash indexes.
///
/// A multiply-fold construction (each 16-byte block is folded through a 64 × 64 → 128-bit
/// multiply, as in wyhash). It is fast on short keys and members and spreads them well
/// over the low bits that the indexes use. Each `LWWSet` draws its own seed from the system
/// random source, so an untrusted writer cannot predict collisions; hash values never leak
/// into anything observable (every ordering the set reports comes from scores and bytes).
/// Both operands of every fold depend on the seed: with a known one, bytes that zero it
/// would zero the product whatever the other bytes are (every such input one hash).
struct ByteHasher: Sendable {
    private let seed: UInt64
    /// What each fold's first operand, the data's first word, is xored with: unknown to a
    /// writer, so that no bytes it picks zero the product.
    private let dataKey: UInt64

    private static let p0: UInt64 = 0xa076_1d64_78bd_642f
    private static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    private static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    private static let p3: UInt64 = 0x5899_65cc_7537_4cc3

    /// A hasher with the given seed.
    init(seed: UInt64) {
        self.seed = seed
        dataKey = Self.fold(seed ^ Self.p1, Self.p2)
    }

    /// A hasher with a seed from the system's random source.
    static func randomlySeeded() -> ByteHasher {
        var generator = SystemRandomNumberGenerator()
        return ByteHasher(seed: generator.next())
    }

    /// The hash of `bytes`.
    ///
    /// Reads through the base address without the buffer's checks: every load lies in
    /// `0 ..< count` (the offsets below are worked out from `count`), and a buffer with no
    /// base address has count 0 and is never read.
    @inline(__always)
    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let count = bytes.count
        var state = seed ^ (UInt64(truncatingIfNeeded: count) &* Self.p0)
        guard count > 0 else { return Self.finish(state) }
        let base = bytes.baseAddress.unsafelyUnwrapped
        // Keys and members of 8 to 16 bytes (a timeline's usual ones) in one fold of two
        // words, overlapping when shorter than 16 (the length in `state` tells them apart).
        if UInt(bitPattern: count &- 8) <= 8 {
            let low = base.loadUnaligned(as: UInt64.self)
            let high = base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            return Self.finish(Self.fold(low ^ dataKey, high ^ state))
        }
        // `offset` stays a multiple of 16 at most `count`: no overflow checks in the loop.
        var offset = 0
        while count &- offset >= 16 {
            let low = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let high = base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
            state = Self.fold(low ^ dataKey, high ^ state)
            offset &+= 16
        }
        let rest = count &- offset
        if rest > 0 {
            // The last 1 to 15 bytes as two words; overlapping loads when the key is long
            // enough, assembled from smaller loads otherwise.
            let low: UInt64
            let high: UInt64
            if count >= 16 {
                low = base.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self)
                high = base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            } else if rest >= 8 {
                low = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                high = base.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            } else if rest >= 4 {
                low = UInt64(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                high = UInt64(base.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            } else {
                low = UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << 16
                    | UInt64(base.load(fromByteOffset: offset &+ rest / 2, as: UInt8.self)) << 8
                    | UInt64(base.load(fromByteOffset: count &- 1, as: UInt8.self))
                high = 0
            }
            state = Self.fold(low ^ dataKey ^ Self.p2, high ^ state ^ Self.p3)
        }
        return Self.finish(state)
    }

    /// The hash of a finished `state`: one last fold, truncated to 32 bits.
    @inline(__always)
    private static func finish(_ state: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: fold(state ^ p0, p3))
    }

    /// The two halves of the 128-bit product of `a` and `b`, xored.
    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
