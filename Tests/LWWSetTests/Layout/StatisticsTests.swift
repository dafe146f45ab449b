import Testing
@testable import LWWSet

/// Counts of keys, entries and tombstones, and the memory accounting.
@Suite struct StatisticsTests {
    @Test func countsFollowEveryWrite() throws {
        var set = try LWWSet(maxSize: 2)
        #expect(set.statistics == LWWSet.Statistics(keys: 0, entries: 0, tombstones: 0, memberBytes: 0, reservedBytes: 0))
        try set.apply("k", "insert 1 a", "insert 2 bb", "delete 3 a", "insert 4 c")
        try set.apply("j", "delete 1 dddd")
        let statistics = set.statistics
        #expect(statistics.keys == 2)
        #expect(statistics.entries == 2)  // bb, c
        #expect(statistics.tombstones == 2)  // a, dddd
        #expect(statistics.memberBytes == 2 + 1 + 1 + 4)
    }

    @Test func ignoredWritesCreateNoKeys() throws {
        var set = try LWWSet()
        #expect(throws: LWWSetError.notANumber) { try set.insert(key: "k".utf8, score: .nan, member: "a".utf8) }
        #expect(set.statistics.keys == 0)
    }

    @Test func reservedBytesCoverTheEntriesAndStayBounded() throws {
        var set = try LWWSet()
        let memberLength = 16
        for i in 0 ..< 10_000 {
            var member = [UInt8](repeating: 0x6d, count: memberLength)
            member.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(i), toByteOffset: 8, as: UInt64.self) }
            try set.insert(key: "k\(i % 100)".utf8, score: Double(i), member: member)
        }
        let statistics = set.statistics
        #expect(statistics.entries == 10_000)
        #expect(statistics.memberBytes == 10_000 * memberLength)
        let overhead = Double(statistics.reservedBytes - statistics.memberBytes) / Double(statistics.entries)
        // The record header alone is 16 bytes; the bound is 64 beyond the member.
        #expect(overhead > 16)
        #expect(overhead < 64)
    }

    @Test func trimmingAndChurnDoNotGrowMemoryWithoutBound() throws {
        var set = try LWWSet(maxSize: 50)
        // Members of one length, so that the live bytes stay the same.
        func member(_ i: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(i).bigEndian, Array.init) }
        func churn(_ rounds: Range<Int>) throws {
            for i in rounds {
                try set.insert(key: "k".utf8, score: Double(i), member: member(i))
                if i % 3 == 0 { try set.delete(key: "k".utf8, score: Double(i), member: member(i - 1)) }
            }
        }
        try churn(1 ..< 2000)
        let settled = set.statistics.reservedBytes
        try churn(2000 ..< 20_000)
        #expect(set.statistics.reservedBytes <= settled)
        #expect(set.statistics.entries == 50 && set.statistics.tombstones == 50)
    }
}
