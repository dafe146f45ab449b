import Testing
@testable import LWWSet

/// Offset/limit and cursor selects: the add set only, highest score first, then member
/// bytes highest first.
@Suite struct SelectTests {
    /// Scores 1...5 on a..e, plus a tie at 3 and a tombstone.
    static func sample() throws -> LWWSet {
        var set = try LWWSet()
        try set.apply("k", "insert 1 a", "insert 2 b", "insert 3 c", "insert 4 d", "insert 5 e", "insert 3 cc", "delete 9 z")
        return set
    }

    @Test func selectsHighestScoreFirstThenHighestMemberBytes() throws {
        #expect(try Self.sample().visible("k") == "e:5 d:4 cc:3 c:3 b:2 a:1")
    }

    @Test func equalScoresOrderMembersByRawBytesWithPrefixesFirst() throws {
        var set = try LWWSet()
        for member in ["b", "ab", "a", "", "\u{7f}", "aa"] {
            try set.insert(key: "k".utf8, score: 1, member: member.utf8)
        }
        #expect(try set.visible("k") == "\u{7f}:1 b:1 ab:1 aa:1 a:1 :1")
        // Bytes above 0x7f order above ASCII: raw bytes, not characters.
        try set.insert(key: "k".utf8, score: 1, member: [0xff])
        #expect(try set.select(key: "k".utf8, offset: 0, limit: 1).first?.member == [0xff])
    }

    @Test func longMembersWithSharedPrefixesOrderByTheirFirstDifference() throws {
        var set = try LWWSet()
        for member in ["timeline-member-00002", "timeline-member-0001", "timeline-member-00010", "timeline-member-000"] {
            try set.insert(key: "k".utf8, score: 1, member: member.utf8)
        }
        #expect(try set.visible("k")
            == "timeline-member-00010:1 timeline-member-0001:1 timeline-member-00002:1 timeline-member-000:1")
    }

    @Test func offsetAndLimitSelectARankRange() throws {
        let set = try Self.sample()
        #expect(try set.select(key: "k".utf8, offset: 0, limit: 2).rendered == "e:5 d:4")
        #expect(try set.select(key: "k".utf8, offset: 2, limit: 3).rendered == "cc:3 c:3 b:2")
        #expect(try set.select(key: "k".utf8, offset: 4, limit: 100).rendered == "b:2 a:1")
        #expect(try set.select(key: "k".utf8, offset: 5, limit: Int.max).rendered == "a:1")
    }

    @Test func anUnknownKeyOrAnOffsetPastTheEndSelectsNothing() throws {
        let set = try Self.sample()
        #expect(try set.select(key: "other".utf8, offset: 0, limit: 10).isEmpty)
        #expect(try set.select(key: "k".utf8, offset: 6, limit: 10).isEmpty)
        #expect(try set.select(key: "k".utf8, offset: Int.max, limit: 10).isEmpty)
    }

    @Test func offsetZeroLimitZeroSelectsTheWholeSet() throws {
        #expect(try Self.sample().select(key: "k".utf8, offset: 0, limit: 0).count == 6)
    }

    @Test func aPositiveOffsetWithLimitZeroSelectsNothing() throws {
        #expect(try Self.sample().select(key: "k".utf8, offset: 1, limit: 0).isEmpty)
    }

    @Test func negativeLimitsAndOffsetsAreErrors() throws {
        let set = try Self.sample()
        #expect(throws: LWWSetError.negativeLimit(-1)) { try set.select(key: "k".utf8, offset: 0, limit: -1) }
        #expect(throws: LWWSetError.negativeOffset(-2)) { try set.select(key: "k".utf8, offset: -2, limit: 1) }
        #expect(throws: LWWSetError.negativeLimit(-1)) {
            try set.select(key: "k".utf8, after: nil, before: nil, limit: -1)
        }
    }

    @Test func tombstonesAreNotSelected() throws {
        let set = try Self.sample()
        #expect(!(try set.visible("k")).contains("z"))
        #expect(set.deleted("k") == "z:9")
    }

    @Test func aCursorSelectsStrictlyAfterStartAndStrictlyBeforeStop() throws {
        let set = try Self.sample()
        let start = Cursor(score: 4, member: "d".utf8)
        let stop = Cursor(score: 2, member: "b".utf8)
        #expect(try set.select(key: "k".utf8, after: start, before: stop, limit: 10).rendered == "cc:3 c:3")
    }

    @Test func aCursorBetweenEqualScoresSplitsByMemberBytes() throws {
        let set = try Self.sample()
        // After (3, "cc"): same score and smaller member ("c"), then lower scores.
        let start = Cursor(score: 3, member: "cc".utf8)
        #expect(try set.select(key: "k".utf8, after: start, before: nil, limit: 10).rendered == "c:3 b:2 a:1")
        // Before (3, "c"): higher scores, and same score with larger member ("cc").
        let stop = Cursor(score: 3, member: "c".utf8)
        #expect(try set.select(key: "k".utf8, after: nil, before: stop, limit: 10).rendered == "e:5 d:4 cc:3")
        // A cursor need not name an entry: (3, "cb") falls between "cc" and "c".
        let between = Cursor(score: 3, member: "cb".utf8)
        #expect(try set.select(key: "k".utf8, after: between, before: nil, limit: 1).rendered == "c:3")
    }

    @Test func cursorsPageThroughTheSet() throws {
        let set = try Self.sample()
        var pages: [String] = []
        var start: Cursor?
        while true {
            let page = try set.select(key: "k".utf8, after: start, before: nil, limit: 4)
            guard let last = page.last else { break }
            pages.append(page.rendered)
            start = Cursor(score: last.score, member: last.member)
        }
        #expect(pages == ["e:5 d:4 cc:3 c:3", "b:2 a:1"])
    }

    @Test func infiniteCursorsBoundNothing() throws {
        let set = try Self.sample()
        let top = Cursor(score: .infinity, member: [UInt8]())
        let bottom = Cursor(score: -.infinity, member: [UInt8]())
        #expect(try set.select(key: "k".utf8, after: top, before: bottom, limit: 100).count == 6)
    }

    @Test func aCursorSelectWithLimitZeroOrCrossedCursorsSelectsNothing() throws {
        let set = try Self.sample()
        #expect(try set.select(key: "k".utf8, after: nil, before: nil, limit: 0).isEmpty)
        let low = Cursor(score: 2, member: [UInt8]())
        let high = Cursor(score: 4, member: [UInt8]())
        #expect(try set.select(key: "k".utf8, after: low, before: high, limit: 10).isEmpty)
        #expect(try set.select(key: "nothing".utf8, after: nil, before: nil, limit: 10).isEmpty)
    }

    @Test func aNaNCursorIsRefused() throws {
        let set = try Self.sample()
        #expect(throws: LWWSetError.notANumber) {
            try set.select(key: "k".utf8, after: Cursor(score: .nan, member: [UInt8]()), before: nil, limit: 1)
        }
    }

    @Test func aSelectionIsReusedAndReplacedEachTime() throws {
        let set = try Self.sample()
        var selection = Selection()
        try set.select(key: "k".utf8, offset: 0, limit: 0, into: &selection)
        #expect(selection.count == 6)
        try set.select(key: "k".utf8, offset: 1, limit: 1, into: &selection)
        #expect(selection.rendered == "d:4")
        try set.select(key: "missing".utf8, offset: 0, limit: 1, into: &selection)
        #expect(selection.isEmpty)
        #expect(selection == Selection())
    }

    @Test func aSelectionWhoseStorageIsTooSmallGrowsAndStillHoldsEveryEntry() throws {
        // The one-pass copy finds too few marks, or runs out of byte room on the long
        // members, and starts over with storage measured for them; a later select that fits
        // copies in one pass.
        var set = try LWWSet()
        let long = String(repeating: "x", count: 40)
        try set.apply("k", "insert 1 a", "insert 2 \(long)1", "insert 3 \(long)2", "insert 4 \(long)3", "insert 5 bb")
        for (entries, bytes) in [(1, 200), (4, 0), (4, 2), (4, 45)] {
            var selection = Selection(reservingEntries: entries, memberBytes: bytes)
            try set.select(key: "k".utf8, offset: 0, limit: 4, into: &selection)
            #expect(selection.rendered == "bb:5 \(long)3:4 \(long)2:3 \(long)1:2", "reserved \(entries), \(bytes)")
            try set.select(key: "k".utf8, offset: 3, limit: 2, into: &selection)
            #expect(selection.rendered == "\(long)1:2 a:1", "reserved \(entries), \(bytes)")
            #expect(selection == (try set.select(key: "k".utf8, offset: 3, limit: 2)))
        }
    }

    @Test func membersOfEveryLengthAroundSixteenBytesAreCopiedWhole() throws {
        // A 16-byte member takes the copy's vector move, the others its word moves or a
        // memmove: one at a time and in a batch, every member comes back byte for byte.
        var set = try LWWSet()
        let members = [0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 40].map { length in
            (0 ..< length).map { UInt8(ascii: "a") + UInt8((length + $0) % 26) }
        }
        for (rank, member) in members.enumerated() {
            try set.insert(key: "k".utf8, score: Double(rank), member: member)
        }
        let expected = Array(members.reversed())
        var selection = Selection(reservingEntries: 4, memberBytes: 16)
        try set.select(key: "k".utf8, offset: 0, limit: 0, into: &selection)
        #expect(selection.map { Array($0.member) } == expected)
        var batched: [[UInt8]] = []
        try Array("k".utf8).withUnsafeBytes { key in
            let select = BorrowedSelect(key: key, offset: 0, limit: 0)
            try [select].withUnsafeBufferPointer { batch in
                try set.select(batch, into: &selection) { _, selection in batched = selection.map { Array($0.member) } }
            }
        }
        #expect(batched == expected)
    }

    @Test func aCopyOfASelectionKeepsItsEntriesWhenTheOriginalIsReused() throws {
        let set = try Self.sample()
        var selection = Selection(reservingEntries: 10, memberBytes: 100)
        try set.select(key: "k".utf8, offset: 0, limit: 3, into: &selection)
        let kept = selection
        try set.select(key: "k".utf8, offset: 3, limit: 3, into: &selection)
        #expect(kept.rendered == "e:5 d:4 cc:3")
        #expect(selection.rendered == "c:3 b:2 a:1")
    }

    @Test func selectingFromALargeSetFindsItsRanks() throws {
        var set = try LWWSet()
        for i in 0 ..< 2000 {
            try set.insert(key: "k".utf8, score: Double(i % 700), member: "m\(i)".utf8)
        }
        let top = try set.select(key: "k".utf8, offset: 0, limit: 3).rendered
        // Score 699 holds m699 and m1399: "m699" > "m1399" by bytes.
        #expect(top == "m699:699 m1399:699 m698:698")
        let cursor = Cursor(score: 1, member: "m701".utf8)
        #expect(try set.select(key: "k".utf8, after: cursor, before: nil, limit: 4).rendered == "m1401:1 m1:1 m700:0 m1400:0")
    }
}
