/// A seeded 32-bit hash of byte strings for the set's internal hash indexes.
///
/// A multiply-fold construction (each 16-byte block is folded through a 64 × 64 → 128-bit
/// multiply, as in wyhash). It is fast on short keys and members and spreads them well
/// over the low bits that the indexes use. Each `LWWSet` draws its own seed from the system
/// random source, so an untrusted writer cannot predict collisions; hash values never leak
/// into anything observable (every ordering the set reports comes from scores and bytes).
struct ByteHasher: Sendable {
    private let seed: UInt64

    private static let p0: UInt64 = 0xa076_1d64_78bd_642f
    private static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    private static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    private static let p3: UInt64 = 0x5899_65cc_7537_4cc3

    /// A hasher with a fixed seed (tests use it to make index layouts reproducible).
    init(seed: UInt64) {
        self.seed = seed
    }

    /// A hasher with a seed from the system's random source.
    static func randomlySeeded() -> ByteHasher {
        var generator = SystemRandomNumberGenerator()
        return ByteHasher(seed: generator.next())
    }

    /// The hash of `bytes`.
    @inline(__always)
    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let count = bytes.count
        var state = seed ^ (UInt64(truncatingIfNeeded: count) &* Self.p0)
        var offset = 0
        while count - offset >= 16 {
            let low = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let high = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            state = Self.fold(low ^ Self.p1, high ^ state)
            offset += 16
        }
        if count - offset >= 8 {
            state = Self.fold(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ Self.p2, state ^ Self.p1)
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            state = Self.fold(tail ^ Self.p3, state ^ Self.p2)
        }
        return UInt32(truncatingIfNeeded: Self.fold(state ^ Self.p0, Self.p3))
    }

    /// The two halves of the 128-bit product of `a` and `b`, xored.
    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
