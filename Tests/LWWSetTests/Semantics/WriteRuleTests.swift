import Testing
@testable import LWWSet

/// Each of Roshi's write rules, on its own (see `LWWSet.write(_:key:score:member:)`).
@Suite struct WriteRuleTests {
    // MARK: 1. Size gate

    @Test func sizeGateIgnoresAnInsertBelowTheLowestOfAFullAddSet() throws {
        var set = try LWWSet(maxSize: 2)
        try set.apply("k", "insert 5 a", "insert 6 b")
        #expect(try set.apply("k", "insert 4 c") == [.ignoredBySizeGate])
        #expect(!WriteOutcome.ignoredBySizeGate.isApplied && WriteOutcome.applied.isApplied)
        #expect(try set.visible("k") == "b:6 a:5")
    }

    @Test func sizeGateIgnoresADeleteBelowTheLowestOfAFullRemoveSet() throws {
        var set = try LWWSet(maxSize: 2)
        try set.apply("k", "insert 1 c", "delete 5 a", "delete 6 b")
        // The gate looks at the target (remove set) only, so c stays visible.
        #expect(try set.apply("k", "delete 4 c") == [.ignoredBySizeGate])
        #expect(try set.visible("k") == "c:1")
        #expect(set.deleted("k") == "b:6 a:5")
    }

    @Test func sizeGateLetsAScoreEqualToTheLowestThrough() throws {
        var set = try LWWSet(maxSize: 2)
        try set.apply("k", "insert 5 b", "insert 6 c")
        // Not below the lowest: applied, then trimmed; at equal lowest scores the smallest
        // member bytes go first, so "a" (the new entry) is the one dropped.
        #expect(try set.apply("k", "insert 5 a") == [.applied])
        #expect(try set.visible("k") == "c:6 b:5")
        // "d" orders after "b" at score 5, so this time "b" is dropped.
        #expect(try set.apply("k", "insert 5 d") == [.applied])
        #expect(try set.visible("k") == "c:6 d:5")
    }

    @Test func sizeGateDoesNotApplyBelowTheBound() throws {
        var set = try LWWSet(maxSize: 3)
        try set.apply("k", "insert 5 a", "insert 6 b")
        #expect(try set.apply("k", "insert 1 c") == [.applied])
        #expect(try set.visible("k") == "b:6 a:5 c:1")
    }

    // MARK: 2. Member check

    @Test func aHigherVisibleScoreIgnoresOlderWritesOfBothKinds() throws {
        var set = try LWWSet()
        try set.apply("k", "insert 5 a")
        #expect(try set.apply("k", "insert 4 a", "delete 4 a") == [.ignoredByNewerInsert, .ignoredByNewerInsert])
        #expect(try set.visible("k") == "a:5")
        #expect(set.deleted("k") == "")
    }

    @Test func anEqualVisibleScoreDoesNotIgnore() throws {
        var set = try LWWSet()
        try set.apply("k", "insert 5 a")
        // Insert again at the same score: applied, nothing changes.
        #expect(try set.apply("k", "insert 5 a") == [.applied])
        #expect(try set.visible("k") == "a:5")
        // Delete at the same score: applied, the member moves to the remove set.
        #expect(try set.apply("k", "delete 5 a") == [.applied])
        #expect(try set.visible("k") == "")
        #expect(set.deleted("k") == "a:5")
    }

    @Test func aHigherOrEqualTombstoneIgnoresWritesOfBothKinds() throws {
        var set = try LWWSet()
        try set.apply("k", "delete 5 a")
        #expect(try set.apply("k", "insert 5 a", "insert 4 a", "delete 5 a", "delete 4 a")
            == [.ignoredByNewerDelete, .ignoredByNewerDelete, .ignoredByNewerDelete, .ignoredByNewerDelete])
        #expect(try set.visible("k") == "")
        #expect(set.deleted("k") == "a:5")
    }

    @Test func aNewerWriteOverridesAnOlderTombstone() throws {
        var set = try LWWSet()
        try set.apply("k", "delete 5 a")
        #expect(try set.apply("k", "insert 6 a") == [.applied])
        #expect(try set.visible("k") == "a:6")
        #expect(set.deleted("k") == "")
    }

    @Test func theMemberCheckIsPerKey() throws {
        var set = try LWWSet()
        try set.apply("k1", "insert 9 a")
        #expect(try set.apply("k2", "insert 1 a") == [.applied])
        #expect(try set.visible("k2") == "a:1")
    }

    // MARK: 3. Apply and trim

    @Test func applyMovesTheMemberBetweenTheSets() throws {
        var set = try LWWSet()
        try set.apply("k", "insert 1 a", "delete 2 a")
        #expect(try set.visible("k") == "")
        #expect(set.deleted("k") == "a:2")
        try set.apply("k", "insert 3 a")
        #expect(try set.visible("k") == "a:3")
        #expect(set.deleted("k") == "")
        #expect(set.statistics.entries == 1 && set.statistics.tombstones == 0)
    }

    @Test func applyMovesAVisibleMemberToItsNewScore() throws {
        var set = try LWWSet()
        try set.apply("k", "insert 1 a", "insert 2 b", "insert 3 a")
        #expect(try set.visible("k") == "a:3 b:2")
    }

    @Test func trimDropsTheLowestScoresFirst() throws {
        var set = try LWWSet(maxSize: 3)
        try set.apply("k", "insert 4 a", "insert 2 b", "insert 3 c", "insert 5 d")
        #expect(try set.visible("k") == "d:5 a:4 c:3")
    }

    @Test func trimDropsTheSmallestMemberBytesAmongEqualLowestScores() throws {
        var set = try LWWSet(maxSize: 2)
        try set.apply("k", "insert 1 b", "insert 1 ab", "insert 1 c")
        // At score 1: "ab" < "b" < "c", so "ab" goes first.
        #expect(try set.visible("k") == "c:1 b:1")
    }

    @Test func trimCanDropTheEntryJustWritten() throws {
        var set = try LWWSet(maxSize: 1)
        try set.apply("k", "insert 5 b")
        #expect(try set.apply("k", "insert 5 a") == [.applied])
        #expect(try set.visible("k") == "b:5")
    }

    @Test func trimAppliesToTombstonesToo() throws {
        var set = try LWWSet(maxSize: 2)
        try set.apply("k", "delete 1 a", "delete 2 b", "delete 3 c")
        #expect(set.deleted("k") == "c:3 b:2")
    }

    // MARK: Consequences

    @Test func aDeleteBeatsAnInsertAtAnEqualScoreInEitherOrder() throws {
        var first = try LWWSet()
        try first.apply("k", "insert 7 a", "delete 7 a")
        var second = try LWWSet()
        try second.apply("k", "delete 7 a", "insert 7 a")
        for set in [first, second] {
            #expect(try set.visible("k") == "")
            #expect(set.deleted("k") == "a:7")
        }
    }

    @Test func replayingAnyWriteChangesNothing() throws {
        var set = try LWWSet(maxSize: 2)
        let writes = ["insert 3 a", "delete 4 b", "insert 5 c", "insert 1 d", "delete 6 a", "insert 2 e"]
        for write in writes {
            try set.apply("k", write)
            let before = set
            try set.apply("k", write)
            #expect(set == before, "replaying \(write)")
        }
    }

    @Test func deletingANeverInsertedMemberStoresATombstone() throws {
        var set = try LWWSet()
        #expect(try set.apply("k", "delete 5 a") == [.applied])
        #expect(set.deleted("k") == "a:5")
        #expect(set.statistics.keys == 1 && set.statistics.tombstones == 1)
        // ...which hides an older insert arriving later.
        #expect(try set.apply("k", "insert 4 a") == [.ignoredByNewerDelete])
    }

    // MARK: Bad input

    @Test func aNaNScoreIsRefused() throws {
        var set = try LWWSet()
        #expect(throws: LWWSetError.notANumber) { try set.insert(key: "k".utf8, score: .nan, member: "a".utf8) }
        #expect(set.statistics.keys == 0)
    }

    @Test func infiniteScoresOrderAtTheEnds() throws {
        var set = try LWWSet()
        try set.insert(key: "k".utf8, score: .infinity, member: "top".utf8)
        try set.insert(key: "k".utf8, score: -.infinity, member: "bottom".utf8)
        try set.insert(key: "k".utf8, score: 0, member: "middle".utf8)
        #expect(try set.visible("k") == "top:+Inf middle:0 bottom:-Inf")
    }

    @Test func overLongKeysAndMembersAreRefused() throws {
        var set = try LWWSet()
        let long = [UInt8](repeating: 0x61, count: LWWSet.maximumKeyLength + 1)
        #expect(throws: LWWSetError.keyTooLong(length: long.count)) { try set.insert(key: long, score: 1, member: "a".utf8) }
        #expect(throws: LWWSetError.memberTooLong(length: long.count)) { try set.insert(key: "k".utf8, score: 1, member: long) }
        let longest = [UInt8](repeating: 0x62, count: LWWSet.maximumMemberLength)
        #expect(try set.insert(key: longest, score: 1, member: longest) == .applied)
        #expect(try set.select(key: longest, offset: 0, limit: 1).first?.member.count == longest.count)
    }

    @Test func aBoundBelowOneIsRefused() {
        #expect(throws: LWWSetError.invalidMaxSize(0)) { try LWWSet(maxSize: 0) }
        #expect(throws: LWWSetError.invalidMaxSize(-3)) { try LWWSet(maxSize: -3) }
    }

    @Test func emptyKeysAndMembersAreOrdinaryByteStrings() throws {
        var set = try LWWSet()
        try set.insert(key: [UInt8](), score: 1, member: [UInt8]())
        try set.insert(key: [UInt8](), score: 1, member: [0x00])
        #expect(try set.visible("") == "\u{0}:1 :1")
    }
}
