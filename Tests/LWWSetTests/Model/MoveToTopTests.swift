import Testing
@testable import LWWSet

/// A set that moves its members to its top again and again, as a set at its bound does
/// when each write re-inserts its lowest member above the top: every move frees an order
/// entry at the bottom and takes one at the top, so the order region's end is reached over
/// and over (and the entries slide down over the room below them, `insertIntoOrder`).
@Suite struct MoveToTopTests {
    /// Member `i`'s bytes: "m" and four digits.
    static func member(_ i: Int) -> [UInt8] {
        let digits = String(i)
        return Array(("m" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits).utf8)
    }

    /// For sets of several sizes (below and past the order scan limit, region full and not),
    /// many rounds of moving the lowest member to the top, with now and then a move from
    /// the middle, a new member or a delete: every outcome and the whole order against
    /// `ReferenceModel`, which the set's invariant checks back after every mutation.
    @Test(arguments: [1, 2, 7, 8, 9, 64, 100, 600])
    func movesOfTheLowestToTheTopMatchTheModel(size: Int) throws {
        let maxSize = size + 3
        var set = try LWWSet(maxSize: maxSize)
        var model = ReferenceModel(maxSize: maxSize)
        let key = Array("timeline".utf8)
        var score = 0.0
        var next = 0
        func write(_ kind: WriteKind, _ number: Int) throws {
            score += 1
            let member = Self.member(number)
            let expected = model.write(kind, key: key, score: score, member: member)
            #expect(try set.write(kind, key: key, score: score, member: member) == expected, "score \(score)")
        }
        for _ in 0 ..< size {
            try write(.insert, next)
            next += 1
        }
        for round in 0 ..< 6 * size + 40 {
            // The lowest visible member, moved to the top.
            let visible = model.visible(key)
            if let lowest = visible.last {
                try write(.insert, Int(String(decoding: lowest.member.dropFirst(), as: UTF8.self))!)
            }
            switch round % 23 {
            case 5 where visible.count > 2:
                try write(.insert, Int(String(decoding: visible[visible.count / 2].member.dropFirst(), as: UTF8.self))!)
            case 11:
                try write(.insert, next)
                next += 1
            case 17 where !visible.isEmpty:
                try write(.delete, Int(String(decoding: visible[0].member.dropFirst(), as: UTF8.self))!)
            default:
                break
            }
            if round % 7 == 0 {
                #expect(Array(try set.select(key: key, offset: 0, limit: 0)) == model.visible(key), "round \(round)")
            }
        }
        #expect(Array(try set.select(key: key, offset: 0, limit: 0)) == model.visible(key))
        #expect(Array(set.tombstones(key: key)) == model.tombstones(key))
    }
}
