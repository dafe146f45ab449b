import Harness
import Testing
@testable import LWWSet

/// Steady-state paths allocate nothing (counted by the CAllocCounter interposer, which a
/// sanitizer build leaves out, so there these tests are skipped).
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct AllocationTests {
    /// Allocations made by one run of `body` on this thread (the callers warm up themselves,
    /// with a call of their own).
    static func allocations(_ body: () throws -> Void) rethrows -> UInt64 {
        try AllocationCounts.counting(body).counts.mallocs
    }

    static let keys: [[UInt8]] = (0 ..< 8).map { Array("timeline:\($0)".utf8) }
    static let members: [[UInt8]] = (0 ..< 64).map { Array("member-\($0)-0123456".utf8) }

    @Test func selectingIntoASelectionDoesNotAllocate() throws {
        var set = try LWWSet()
        for (i, member) in Self.members.enumerated() {
            try set.insert(key: Self.keys[i % Self.keys.count], score: Double(i), member: member)
        }
        var selection = Selection(reservingEntries: 10, memberBytes: 1024)
        var checksum = 0.0
        // Warm up: the first calls instantiate generic metadata, once per process.
        try set.select(key: Self.keys[0], offset: 0, limit: 10, into: &selection)
        let counted = try Self.allocations {
            for round in 0 ..< 100 {
                try set.select(key: Self.keys[round % Self.keys.count], offset: 0, limit: 10, into: &selection)
                checksum += selection[0].score
            }
        }
        #expect(checksum > 0)
        #expect(counted == 0)
    }

    @Test func writesToSetsAtTheirBoundDoNotAllocate() throws {
        var set = try LWWSet(maxSize: 16)
        var member = [UInt8](repeating: 0x6d, count: 16)
        func write(_ i: Int, _ kind: WriteKind) throws {
            member.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(i % 200), toByteOffset: 8, as: UInt64.self) }
            try set.write(kind, key: Self.keys[i % Self.keys.count], score: Double(i), member: member)
        }
        // Fill every set to its bound and let the buffers settle.
        for i in 0 ..< 20_000 { try write(i, (i / 8) % 2 == 0 ? .delete : .insert) }
        let counted = try Self.allocations {
            for i in 20_000 ..< 30_000 { try write(i, (i / 8) % 2 == 0 ? .delete : .insert) }
        }
        // Each key sees 25 members, each visible or deleted, and both sets are at the bound
        // at times: the writes trim, move members between the sets, and compact.
        #expect(set.statistics.entries + set.statistics.tombstones == 25 * Self.keys.count)
        #expect(counted == 0)
    }
}
