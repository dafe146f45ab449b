import SeededRandom
import Testing
@testable import LWWSet

/// The spread of `ByteHasher` over the short keys and members a timeline writes (8 to 16
/// bytes take a path of their own): few 32-bit collisions, even home slots, and every byte
/// of every length counted.
@Suite struct ByteHasherTests {
    /// The hash of `bytes` under `hasher`.
    static func hash(_ bytes: [UInt8], _ hasher: ByteHasher) -> UInt32 {
        bytes.withUnsafeBytes { hasher.hash($0) }
    }

    /// Timeline-like keys ("timeline:" and five digits, 14 bytes) and lab-like members (a
    /// scrambled word, then a counter: 16 bytes), 50,000 of each: at most a few 32-bit
    /// collisions (about 0.3 expected), and home slots over 1,024 slots within six standard
    /// deviations of even.
    @Test(arguments: [14, 16])
    func shortInputsSpreadOverTagsAndHomeSlots(length: Int) {
        let hasher = ByteHasher(seed: 0x5eed_1234_abcd_0042)
        var random = SplitMix64(seed: UInt64(length))
        let count = 50_000
        var hashes = Set<UInt32>()
        var homes = [Int](repeating: 0, count: 1024)
        for i in 0 ..< count {
            let bytes: [UInt8]
            if length == 14 {
                let digits = String(i)
                bytes = Array(("timeline:" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits).utf8.prefix(14))
            } else {
                bytes = withUnsafeBytes(of: random.next()) { Array($0) } + withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) }
            }
            #expect(bytes.count == length)
            let hash = Self.hash(bytes, hasher)
            hashes.insert(hash)
            homes[HashSlots.home(hash, homes.count)] += 1
        }
        #expect(count - hashes.count <= 4)
        let mean = Double(count) / Double(homes.count)
        let bound = 6 * mean.squareRoot()
        #expect(homes.allSatisfy { abs(Double($0) - mean) <= bound })
    }

    /// For every length up to 40, flipping any one bit of an input changes its hash, and
    /// inputs that differ only in length (a zero byte more) hash apart.
    @Test func everyBitOfEveryLengthCounts() {
        let hasher = ByteHasher(seed: 0x0123_4567_89ab_cdef)
        var random = SplitMix64(seed: 7)
        for length in 0 ... 40 {
            let bytes = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let hash = Self.hash(bytes, hasher)
            #expect(hash != Self.hash(bytes + [0], hasher), "length \(length) against one zero byte more")
            for bit in 0 ..< length * 8 {
                var flipped = bytes
                flipped[bit / 8] ^= 1 << (bit % 8)
                #expect(Self.hash(flipped, hasher) != hash, "length \(length), bit \(bit)")
            }
        }
    }
}

extension ByteHasherTests {
    /// Inputs whose first word is any fixed value (here each of the hasher's public
    /// constants and zero) still spread: no first word makes the rest of the bytes count
    /// for nothing, at 16 bytes (one fold), 15 (the short path's overlapping words) and 40
    /// (blocks, then the tail).
    @Test(arguments: [15, 16, 40])
    func noFirstWordMakesTheRestCountForNothing(length: Int) {
        let hasher = ByteHasher(seed: 0x0bad_5eed_0bad_5eed)
        let firstWords: [UInt64] = [0, 0xa076_1d64_78bd_642f, 0xe703_7ed1_a0b4_28db, 0x8ebc_6af0_9c88_c6e3, 0x5899_65cc_7537_4cc3]
        for first in firstWords {
            var hashes = Set<UInt32>()
            for i in 0 ..< 1_000 {
                var bytes = withUnsafeBytes(of: first) { Array($0) } + [UInt8](repeating: 0, count: length - 8)
                bytes.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(i), toByteOffset: length - 8, as: UInt64.self) }
                hashes.insert(Self.hash(bytes, hasher))
            }
            #expect(hashes.count >= 998, "first word \(first), length \(length)")
        }
    }
}
