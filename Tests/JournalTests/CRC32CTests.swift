import Journal
import Testing

extension JournalTests {
    @Suite("CRC32C")
    struct CRC32CTests {
        /// One bit at a time, straight from the definition: the reference the tables must match.
        static func bitwise(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }

        static func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32C.checksum($0) } }

        @Test("published check values (RFC 3720 B.4 and the 123456789 check)")
        func checkValues() {
            #expect(Self.crc(Array("123456789".utf8)) == 0xE306_9283)
            #expect(Self.crc([]) == 0)
            #expect(Self.crc([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
            #expect(Self.crc([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
            #expect(Self.crc((0..<32).map { UInt8($0) }) == 0x46DD_794E)
            #expect(Self.crc((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        }

        @Test("every length 0...300 and every split matches the bitwise reference")
        func matchesReference() {
            let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }
            for length in 0...bytes.count {
                let prefix = Array(bytes[0..<length])
                #expect(Self.crc(prefix) == Self.bitwise(prefix), "length \(length)")
            }
            let whole = Self.crc(bytes)
            for split in stride(from: 0, through: bytes.count, by: 7) {
                let partial = Self.crc(Array(bytes[0..<split]))
                let rest = Array(bytes[split...])
                #expect(rest.withUnsafeBytes { CRC32C.update(partial, $0) } == whole, "split at \(split)")
            }
        }
    }
}
