import Testing
@testable import LWWSet

/// `LWWSet` is a value: a copy never sees the original's later writes, nor the reverse.
@Suite struct ValueSemanticsTests {
    @Test func aCopyIsIndependentOfLaterWrites() throws {
        var original = try LWWSet(maxSize: 3)
        for i in 0 ..< 20 {
            try original.insert(key: "k".utf8, score: Double(i), member: "m\(i)".utf8)
        }
        var copy = original
        try copy.delete(key: "k".utf8, score: 100, member: "m19".utf8)
        try copy.insert(key: "k".utf8, score: 50, member: "new".utf8)
        try original.insert(key: "k".utf8, score: 60, member: "other".utf8)
        #expect(try original.visible("k") == "other:60 m19:19 m18:18")
        #expect(try copy.visible("k") == "new:50 m18:18 m17:17")
        #expect(original.deleted("k") == "")
        #expect(copy.deleted("k") == "m19:100")
    }

    @Test func selectionsAreValuesToo() throws {
        var set = try LWWSet()
        try set.apply("k", "insert 1 a", "insert 2 b")
        var selection = Selection()
        try set.select(key: "k".utf8, offset: 0, limit: 0, into: &selection)
        let kept = selection
        let member = selection[0].member
        try set.select(key: "k".utf8, offset: 1, limit: 1, into: &selection)
        #expect(kept.rendered == "b:2 a:1")
        #expect(member == Array("b".utf8)[...])
        #expect(selection.rendered == "a:1")
    }
}
