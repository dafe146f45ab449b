import SeededRandom
import Testing
@testable import LWWSet

/// Properties over random write scripts from a seeded generator: idempotence always;
/// order independence and merge convergence when no bound is hit.
@Suite struct PropertyTests {
    typealias Write = (kind: WriteKind, key: [UInt8], score: Double, member: [UInt8])

    /// `count` writes over a few keys and members, with many tied scores.
    static func script(seed: UInt64, count: Int) -> [Write] {
        var random = SplitMix64(seed: seed)
        return (0 ..< count).map { _ in ModelTests.randomWrite(&random, keys: 4, members: 30, scores: 20) }
    }

    /// A set with every write of `writes` applied in order.
    static func applied(_ writes: some Sequence<Write>, maxSize: Int = LWWSet.defaultMaxSize) throws -> LWWSet {
        var set = try LWWSet(maxSize: maxSize)
        for write in writes {
            try set.write(write.kind, key: write.key, score: write.score, member: write.member)
        }
        return set
    }

    @Test(arguments: UInt64(1) ... 8)
    func applyingAScriptTwiceEqualsApplyingItOnce(seed: UInt64) throws {
        let writes = Self.script(seed: seed, count: 300)
        let once = try Self.applied(writes)
        var twice = once
        for write in writes {
            try twice.write(write.kind, key: write.key, score: write.score, member: write.member)
        }
        #expect(twice == once, "seed \(seed)")
    }

    /// With a bound, replaying a whole script can bring back inserts whose tombstones were
    /// trimmed, but replaying each write as it comes changes nothing.
    @Test(arguments: UInt64(1) ... 8)
    func replayingEachWriteChangesNothingEvenWithABound(seed: UInt64) throws {
        var set = try LWWSet(maxSize: 2)
        for write in Self.script(seed: seed, count: 300) {
            try set.write(write.kind, key: write.key, score: write.score, member: write.member)
            let before = set
            try set.write(write.kind, key: write.key, score: write.score, member: write.member)
            #expect(set == before, "seed \(seed)")
        }
    }

    @Test(arguments: UInt64(1) ... 8)
    func anyOrderOfTheSameWritesConverges(seed: UInt64) throws {
        let writes = Self.script(seed: seed, count: 300)
        let inOrder = try Self.applied(writes)
        var random = SplitMix64(seed: seed &+ 1000)
        for _ in 0 ..< 5 {
            #expect(try Self.applied(writes.shuffled(using: &random)) == inOrder, "seed \(seed)")
        }
        #expect(try Self.applied(writes.reversed()) == inOrder, "seed \(seed)")
    }

    @Test(arguments: UInt64(1) ... 8)
    func replicasConvergeWhateverTheMergeOrder(seed: UInt64) throws {
        // Three replicas each see some of the writes, some writes more than once.
        let writes = Self.script(seed: seed, count: 300)
        var random = SplitMix64(seed: seed &+ 2000)
        var shares: [[Write]] = [[], [], []]
        for write in writes {
            shares[Int.random(in: 0 ..< 3, using: &random)].append(write)
            if Bool.random(using: &random) { shares[Int.random(in: 0 ..< 3, using: &random)].append(write) }
        }
        let replicas = try shares.map { try Self.applied($0) }
        let everything = try Self.applied(writes)

        var abc = replicas[0]
        try abc.merge(replicas[1])
        try abc.merge(replicas[2])
        var cba = replicas[2]
        try cba.merge(replicas[1])
        try cba.merge(replicas[0])
        var bc = replicas[1]
        try bc.merge(replicas[2])
        var aBc = replicas[0]
        try aBc.merge(bc)
        #expect(abc == everything, "seed \(seed)")
        #expect(cba == everything, "seed \(seed)")
        #expect(aBc == everything, "seed \(seed)")

        // Merging again, or merging a replica into itself, changes nothing.
        var again = abc
        try again.merge(replicas[1])
        try again.merge(again)
        #expect(again == everything, "seed \(seed)")
    }
}
