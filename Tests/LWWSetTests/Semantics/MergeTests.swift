import Testing
@testable import LWWSet

/// `merge`: every entry of the other replica applied as a write.
@Suite struct MergeTests {
    @Test func mergeAppliesTheOthersEntriesAndTombstones() throws {
        var left = try LWWSet()
        try left.apply("k", "insert 1 a", "insert 5 b", "delete 2 c")
        var right = try LWWSet()
        try right.apply("k", "insert 3 a", "delete 4 b", "insert 1 c")
        try right.apply("j", "insert 1 x")
        try left.merge(right)
        // a: insert 3 beats insert 1. b: insert 5 beats delete 4. c: delete 2 beats insert 1.
        #expect(try left.visible("k") == "b:5 a:3")
        #expect(left.deleted("k") == "c:2")
        #expect(try left.visible("j") == "x:1")
        #expect(left.statistics.keys == 2)
    }

    @Test func mergeKeepsTheOtherUnchanged() throws {
        var left = try LWWSet()
        try left.apply("k", "insert 9 a")
        var right = try LWWSet()
        try right.apply("k", "insert 1 a")
        let before = right
        try left.merge(right)
        #expect(right == before)
        #expect(try right.visible("k") == "a:1")
    }

    @Test func mergeRespectsTheReceiversBound() throws {
        var small = try LWWSet(maxSize: 2)
        var big = try LWWSet()
        try big.apply("k", "insert 1 a", "insert 2 b", "insert 3 c")
        try small.merge(big)
        #expect(try small.visible("k") == "c:3 b:2")
    }

    @Test func equalityComparesContentsNotBoundsOrHistory() throws {
        var first = try LWWSet(maxSize: 3)
        try first.apply("k", "insert 1 a", "insert 2 a")
        var second = try LWWSet(maxSize: 50)
        try second.apply("k", "insert 2 a")
        #expect(first == second)
        try second.apply("k", "delete 1 b")
        #expect(first != second)
        try first.apply("j", "delete 1 b")
        #expect(first != second)
    }
}
