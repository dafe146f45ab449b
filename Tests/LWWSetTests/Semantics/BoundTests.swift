import Testing
@testable import LWWSet

/// The bound's surprises: trimming forgets, so order matters once a set is full.
@Suite struct BoundTests {
    @Test func anInsertErasesATombstoneAndIsThenTrimmedAway() throws {
        var set = try LWWSet(maxSize: 1)
        try set.apply("k", "insert 5 b", "delete 1 a")
        // a's insert beats its tombstone (5 > 1), so the tombstone goes; then the add set
        // holds a:5 and b:5 and trims "a", the smaller member.
        #expect(try set.apply("k", "insert 5 a") == [.applied])
        #expect(try set.visible("k") == "b:5")
        #expect(set.deleted("k") == "")
        // With the tombstone gone, an older insert of "a" is judged only by the size gate.
        #expect(try set.apply("k", "insert 4 a") == [.ignoredBySizeGate])
    }

    @Test func trimmedTombstonesLetOlderInsertsBack() throws {
        var set = try LWWSet(maxSize: 1)
        try set.apply("k", "delete 5 a", "delete 6 b")
        #expect(set.deleted("k") == "b:6")
        // a was deleted at 5, but that tombstone was trimmed: an insert at 3 comes back.
        #expect(try set.apply("k", "insert 3 a") == [.applied])
        #expect(try set.visible("k") == "a:3")
    }

    @Test func orderDecidesOnceTheBoundIsHit() throws {
        var forwards = try LWWSet(maxSize: 1)
        try forwards.apply("k", "insert 2 a", "delete 5 a", "delete 6 b")
        #expect(try forwards.visible("k") == "")
        #expect(forwards.deleted("k") == "b:6")

        var backwards = try LWWSet(maxSize: 1)
        #expect(try backwards.apply("k", "delete 6 b", "delete 5 a", "insert 2 a")
            == [.applied, .ignoredBySizeGate, .applied])
        #expect(try backwards.visible("k") == "a:2")
        #expect(backwards.deleted("k") == "b:6")
    }

    @Test func loweringTheBoundTrimsAtOnce() throws {
        var set = try LWWSet(maxSize: 5)
        try set.apply("k", "insert 1 a", "insert 2 b", "insert 3 c", "delete 4 d", "delete 5 e")
        try set.setMaxSize(1)
        #expect(try set.visible("k") == "c:3")
        #expect(set.deleted("k") == "e:5")
        #expect(set.statistics.entries == 1 && set.statistics.tombstones == 1)
        #expect(throws: LWWSetError.invalidMaxSize(0)) { try set.setMaxSize(0) }
    }
}
