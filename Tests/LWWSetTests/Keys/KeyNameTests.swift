@testable import LWWSet
import Testing

/// `KeyName.names(_:in:)` on keys of every length around the inline ones (8 to 24 bytes
/// are compared word by word in place): a key names itself, and no key that differs from
/// it in one byte, or in its length.
@Suite struct KeyNameTests {
    @Test func aNameNamesItsKeyAndNoKeyOneByteApart() throws {
        var set = try LWWSet()
        let keys = (0 ... 40).map { length in (0 ..< length).map { UInt8(truncatingIfNeeded: 0x41 &+ $0 &* 7 &+ length) } }
        for key in keys {
            try set.insert(key: key, score: 1, member: "m".utf8)
        }
        for (number, key) in keys.enumerated() {
            #expect(key.withUnsafeBytes { set.isKey(number, $0) }, "length \(key.count)")
            #expect(key.withUnsafeBytes { set.keyNumber($0) } == number, "length \(key.count)")
            for position in key.indices {
                for flip: UInt8 in [0x01, 0x80] {
                    var other = key
                    other[position] ^= flip
                    #expect(!other.withUnsafeBytes { set.isKey(number, $0) }, "length \(key.count), byte \(position)")
                }
            }
            let longer = key + [0]
            #expect(!longer.withUnsafeBytes { set.isKey(number, $0) }, "length \(key.count) against one zero byte more")
        }
    }
}
