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
        static func tableCRC(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32C.tableUpdate(0, $0) } }

        @Test("published check values (RFC 3720 B.4 and the 123456789 check)")
        func checkValues() {
            #expect(Self.crc(Array("123456789".utf8)) == 0xE306_9283)
            #expect(Self.crc([]) == 0)
            #expect(Self.crc([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
            #expect(Self.crc([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
            #expect(Self.crc((0..<32).map { UInt8($0) }) == 0x46DD_794E)
            #expect(Self.crc((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
            #expect(Self.tableCRC(Array("123456789".utf8)) == 0xE306_9283)
            #expect(Self.tableCRC([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        }

        @Test("x86-64 and AArch64 CRC hosts take the instruction path")
        func hardwarePath() {
            #if arch(x86_64)
            // SSE4.2 (2008 and later) is on every x86-64 machine this package targets.
            #expect(CRC32C.isHardwareAccelerated)
            #endif
            let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            #expect(Self.crc(bytes) == Self.tableCRC(bytes))
        }

        @Test("every length 0...300 and every split matches the bitwise reference")
        func matchesReference() {
            let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }
            for length in 0...bytes.count {
                let prefix = Array(bytes[0..<length])
                #expect(Self.crc(prefix) == Self.bitwise(prefix), "length \(length)")
                #expect(Self.tableCRC(prefix) == Self.bitwise(prefix), "tables, length \(length)")
            }
            let whole = Self.crc(bytes)
            for split in stride(from: 0, through: bytes.count, by: 7) {
                let partial = Self.crc(Array(bytes[0..<split]))
                let rest = Array(bytes[split...])
                #expect(rest.withUnsafeBytes { CRC32C.update(partial, $0) } == whole, "split at \(split)")
                #expect(rest.withUnsafeBytes { CRC32C.tableUpdate(partial, $0) } == whole, "tables, split at \(split)")
            }
        }
    }
}
