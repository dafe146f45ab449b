import Testing
@testable import LWWSet

/// The internal checks (`ScoredSet._checkInvariants()`, run after every mutation) are on in
/// the builds the tests run, so every other test also checks the sets' invariants.
@Suite struct InvariantCheckTests {
    @Test func debugBuildsCheckTheInvariantsAfterEveryMutation() throws {
        #if DEBUG
        #expect(ScoredSet.isCheckingInvariants)
        #endif
        // Growth, trims, moves between the sets and compaction, each step checked inside.
        var set = try LWWSet(maxSize: 20)
        for step in 0 ..< 400 {
            let member = Array("m\(step % 37)".utf8)
            try set.write(step % 3 == 0 ? .delete : .insert, key: "k".utf8, score: Double(step % 50), member: member)
        }
        let statistics = set.statistics
        #expect(statistics.entries <= 20 && statistics.tombstones <= 20)
        #expect(statistics.entries + statistics.tombstones > 0)
    }
}
