import Testing
@testable import LWWSet
@Test func smoke() throws {
    var set = try LWWSet(maxSize: 3)
    try set.insert(key: "k".utf8, score: 1, member: "a".utf8)
    #expect(try set.select(key: "k".utf8, offset: 0, limit: 0).count == 1)
}
