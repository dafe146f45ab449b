import SeededRandom
import Testing
@testable import LWWSet

/// Writes that land just below a set's top (two producers of interleaved scores, events
/// arriving slightly out of order): `ScoredSet.lowerBound` searches down from the top, and
/// its answers must be those of a plain count at every depth, ties included.
@Suite struct NearTopOrderTests {
    /// Member `i`'s bytes: "m" and four digits, so byte order is number order.
    static func member(_ i: Int) -> [UInt8] {
        let digits = String(i)
        return Array(("m" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits).utf8)
    }

    /// For every size up to 70 and some past the order scan limit, and for every place in
    /// the order (between two entries, on a tied score before, between and after its
    /// members), `lowerBound` equals the number of entries that order below the pair.
    @Test(arguments: Array(1 ... 70) + [129, 600])
    func lowerBoundCountsTheEntriesBelowAtEveryDepth(size: Int) throws {
        var set = ScoredSet()
        // Pairs of tied scores: entries 2j and 2j + 1 both score j, told apart by member.
        for i in 0 ..< size {
            let bytes = Self.member(2 * i + 1)
            try bytes.withUnsafeBytes { try set.add($0, hash: UInt32(truncatingIfNeeded: i &* 2_654_435_761), score: Double(i / 2)) }
        }
        var entries: [(key: [UInt8], value: Double)] = []
        set.visitAscending { score, member in entries.append((Array(member), score)) }
        #expect(entries.count == size)
        // Scores from below the lowest to above the top, in halves; members around each
        // entry's (even numbers fall between the odd ones in the set). The probes come in
        // ascending order, so the expected count only ever grows.
        var expected = 0
        var wrong: [String] = []
        for twiceScore in -1 ... size + 1 {
            let score = Double(twiceScore) / 2
            for number in 0 ... 2 * size + 1 {
                let probe = Self.member(number)
                while expected < entries.count && ReferenceModel.ordersBelow(entries[expected], (probe, score)) {
                    expected += 1
                }
                let found = probe.withUnsafeBytes { set.lowerBound(score: score, member: $0) }
                if found != expected { wrong.append("score \(score), member \(number): \(found), not \(expected)") }
            }
        }
        #expect(wrong.isEmpty, "size \(size): \(wrong.prefix(5))")
    }

    /// One key written as two producers write it: each write's score is a little below the
    /// highest so far (1 to `depth` places below the top) or above it, new members and
    /// members already there (moves), tied scores, inserts and deletes, in sets larger and
    /// smaller than the order scan limit; every write's outcome and the key's whole order
    /// against `ReferenceModel`.
    @Test(arguments: [(maxSize: 8, depth: 4), (maxSize: 100, depth: 9), (maxSize: 700, depth: 40)])
    func nearTopWritesMatchTheModel(maxSize: Int, depth: Int) throws {
        var random = SplitMix64(seed: UInt64(maxSize * 31 + depth))
        var set = try LWWSet(maxSize: maxSize)
        var model = ReferenceModel(maxSize: maxSize)
        let key = Array("timeline".utf8)
        var top = 0.0
        let writes = 2_000
        for step in 0 ..< writes {
            let below = Int.random(in: 0 ... depth, using: &random)
            // Scores on a grid of 1/4, so that some tie; 0 places below goes above the top.
            let score = below == 0 ? top + 1 : top - Double(below) / 4
            top = max(top, score)
            // Mostly new members; one in four already written (a move within the order).
            let number = Int.random(in: 0 ..< 4, using: &random) == 0
                ? Int.random(in: 0 ... step, using: &random) : step
            let kind: WriteKind = Int.random(in: 0 ..< 10, using: &random) == 0 ? .delete : .insert
            let member = Self.member(number)
            let expected = model.write(kind, key: key, score: score, member: member)
            #expect(try set.write(kind, key: key, score: score, member: member) == expected, "step \(step)")
            if step % 97 == 0 || step == writes - 1 {
                #expect(Array(try set.select(key: key, offset: 0, limit: 0)) == model.visible(key), "step \(step)")
                #expect(Array(set.tombstones(key: key)) == model.tombstones(key), "step \(step)")
            }
        }
    }
}
