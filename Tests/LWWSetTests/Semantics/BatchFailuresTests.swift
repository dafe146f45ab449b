import SeededRandom
import Testing
@testable import LWWSet

/// The failures-only batch write (`LWWSet.writeCountingApplied(_:failure:)`) against the
/// same writes one at a time: the same applied count, every failure at its index in order,
/// and the same set afterwards, with valid and invalid writes mixed across batch sizes
/// around a group's width.
@Suite struct BatchFailuresTests {
    /// Random batches on a small bound, about one write in six invalid, each checked against
    /// the same writes one at a time on a second set.
    @Test(arguments: UInt64(1) ... 4)
    func reportsTheFailuresAndCountsTheAppliedWrites(seed: UInt64) throws {
        var random = SplitMix64(seed: seed &+ 7_919)
        var batched = try LWWSet(maxSize: 2)
        var single = try LWWSet(maxSize: 2)
        var keys = Set<[UInt8]>()
        var sawIgnored = false
        for (round, size) in BatchTests.batchSizes.enumerated() {
            var writes: [BatchTests.Write] = []
            for _ in 0 ..< size {
                var write = BatchTests.randomWrite(&random, round: round)
                if Int.random(in: 0 ..< 6, using: &random) == 0 { _ = BatchTests.invalidate(&write, &random) }
                writes.append(write)
            }
            keys.formUnion(BatchTests.keys(of: writes))
            let context: Comment = "seed \(seed) batch of \(size)"
            var failed: [(index: Int, error: LWWSetError)] = []
            let applied = BatchTests.withBorrowed(writes) { batch in
                batched.writeCountingApplied(batch) { index, error in failed.append((index, error)) }
            }
            let expected = BatchTests.writeOneAtATime(writes, into: &single)
            let expectedFailures = expected.enumerated().compactMap { index, result -> (Int, LWWSetError)? in
                if case .failure(let error) = result { return (index, error) }
                return nil
            }
            #expect(failed.map { $0.index } == expectedFailures.map { $0.0 }, context)
            #expect(failed.map { $0.error } == expectedFailures.map { $0.1 }, context)
            #expect(applied == expected.filter { (try? $0.get())?.isApplied == true }.count, context)
            sawIgnored = sawIgnored || applied + failed.count < size
            try BatchTests.expectSameSet(batched, single, keys: keys, context)
        }
        // The writes reach the rules, so a count of every success as applied would show.
        #expect(sawIgnored, "seed \(seed)")
    }
}
