import SeededRandom
import Testing
@testable import LWWSet

/// The set against `ReferenceModel`, write by write, over random scripts.
@Suite struct ModelTests {
    /// One random write over a small universe, so members collide, scores tie and bounds bite.
    static func randomWrite(_ random: inout SplitMix64, keys: Int, members: Int, scores: Int)
        -> (kind: WriteKind, key: [UInt8], score: Double, member: [UInt8])
    {
        let kind: WriteKind = Bool.random(using: &random) ? .insert : .delete
        let key = Array("k\(Int.random(in: 0 ..< keys, using: &random))".utf8)
        // Members of varied lengths, some prefixes of others, one empty.
        let number = Int.random(in: 0 ..< members, using: &random)
        let member: [UInt8] = Array((String(repeating: "m", count: number % 3) + String(number)).utf8)
        let score = Double(Int.random(in: -scores ... scores, using: &random)) / 2
        return (kind, key, score, number == 0 ? [] : member)
    }

    @Test(arguments: [1, 2, 3, 5, 8, 1000])
    func matchesTheModel(maxSize: Int) throws {
        for seed in UInt64(1) ... 6 {
            var random = SplitMix64(seed: seed &* 7919 &+ UInt64(maxSize))
            var set = try LWWSet(maxSize: maxSize)
            var model = ReferenceModel(maxSize: maxSize)
            for step in 0 ..< 1500 {
                let write = Self.randomWrite(&random, keys: 3, members: 24, scores: 12)
                let expected = model.write(write.kind, key: write.key, score: write.score, member: write.member)
                let outcome = try set.write(write.kind, key: write.key, score: write.score, member: write.member)
                #expect(outcome == expected, "seed \(seed) step \(step)")
                let visible = try set.select(key: write.key, offset: 0, limit: 0)
                #expect(Array(visible) == model.visible(write.key), "seed \(seed) step \(step)")
                #expect(Array(set.tombstones(key: write.key)) == model.tombstones(write.key), "seed \(seed) step \(step)")
            }
            let statistics = set.statistics
            #expect(statistics.keys == model.keys.count)
            #expect(statistics.entries == model.keys.values.map(\.add.count).reduce(0, +))
            #expect(statistics.tombstones == model.keys.values.map(\.remove.count).reduce(0, +))
            var modelMemberBytes = 0
            for sets in model.keys.values {
                modelMemberBytes += sets.add.keys.map(\.count).reduce(0, +)
                modelMemberBytes += sets.remove.keys.map(\.count).reduce(0, +)
            }
            #expect(statistics.memberBytes == modelMemberBytes)
        }
    }

    /// Many members per key and long runs, so buffers grow, slide, compact and rehash.
    @Test func matchesTheModelThroughCompactions() throws {
        var random = SplitMix64(seed: 42)
        var set = try LWWSet(maxSize: 40)
        var model = ReferenceModel(maxSize: 40)
        for step in 0 ..< 6000 {
            let write = Self.randomWrite(&random, keys: 2, members: 200, scores: 400)
            let score = write.score + Double(step) / 8  // drifting upwards, as timelines do
            let expected = model.write(write.kind, key: write.key, score: score, member: write.member)
            #expect(try set.write(write.kind, key: write.key, score: score, member: write.member) == expected)
            if step % 50 == 0 {
                for key in ["k0", "k1"].map({ Array($0.utf8) }) {
                    #expect(Array(try set.select(key: key, offset: 0, limit: 0)) == model.visible(key), "step \(step)")
                    #expect(Array(set.tombstones(key: key)) == model.tombstones(key), "step \(step)")
                }
            }
        }
    }

    /// Sets larger than the order scan limit, so removals and moves find positions by
    /// binary search.
    @Test func matchesTheModelInLargeSets() throws {
        var random = SplitMix64(seed: 7)
        var set = try LWWSet(maxSize: 900)
        var model = ReferenceModel(maxSize: 900)
        for step in 0 ..< 5000 {
            let write = Self.randomWrite(&random, keys: 1, members: 1200, scores: 3000)
            let expected = model.write(write.kind, key: write.key, score: write.score, member: write.member)
            #expect(try set.write(write.kind, key: write.key, score: write.score, member: write.member) == expected)
            if step % 500 == 499 {
                #expect(Array(try set.select(key: write.key, offset: 0, limit: 0)) == model.visible(write.key))
                #expect(Array(set.tombstones(key: write.key)) == model.tombstones(write.key))
            }
        }
    }
}
