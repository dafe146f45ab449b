import CAllocCounter
import SeededRandom
import Testing
@testable import LWWSet

/// Batched writes and selects (`LWWSet.write(_:outcome:)`, `LWWSet.select(_:into:each:)`)
/// against the same operations one at a time: the same outcomes, at the same indices, in
/// the same order, and the same set afterwards, across the pipeline's depths (`batchWidth`),
/// keys that are new inside a chunk, small bounds, tied scores and invalid writes.
@Suite struct BatchTests {
    /// A write that owns its bytes.
    typealias Write = (kind: WriteKind, key: [UInt8], score: Double, member: [UInt8])
    /// A select that owns its key's bytes.
    typealias Select = (key: [UInt8], offset: Int, limit: Int)
    /// What a batched write reports for one write.
    typealias Reported = (index: Int, result: Result<WriteOutcome, LWWSetError>)

    /// Batch sizes around the width of a group (32 operations in flight): empty, one, less
    /// than a group, a group less one, at it and one past it, and several groups.
    static let batchSizes = [0, 1, 15, 16, 17, 19, 20, 21, 31, 32, 33, 200]

    static let longKey = [UInt8](repeating: 0x6b, count: LWWSet.maximumKeyLength + 1)
    static let longMember = [UInt8](repeating: 0x6d, count: LWWSet.maximumMemberLength + 1)

    // MARK: Helpers

    /// Calls `body` with `writes` as borrowed writes, whose bytes lie in one buffer that
    /// stays alive for the call.
    static func withBorrowed<R>(_ writes: [Write], _ body: (UnsafeBufferPointer<BorrowedWrite>) -> R) -> R {
        var storage: [UInt8] = []
        var spans: [(key: Range<Int>, member: Range<Int>)] = []
        for write in writes {
            let key = storage.count ..< storage.count + write.key.count
            storage += write.key
            let member = storage.count ..< storage.count + write.member.count
            storage += write.member
            spans.append((key, member))
        }
        return storage.withUnsafeBytes { bytes in
            let borrowed = zip(writes, spans).map { write, span in
                BorrowedWrite(write.kind, key: UnsafeRawBufferPointer(rebasing: bytes[span.key]), score: write.score,
                              member: UnsafeRawBufferPointer(rebasing: bytes[span.member]))
            }
            return borrowed.withUnsafeBufferPointer(body)
        }
    }

    /// Calls `body` with `selects` as borrowed selects, whose keys lie in one buffer that
    /// stays alive for the call.
    static func withBorrowed<R>(
        _ selects: [Select], _ body: (UnsafeBufferPointer<BorrowedSelect>) throws(LWWSetError) -> R
    ) throws(LWWSetError) -> R {
        var storage: [UInt8] = []
        var spans: [Range<Int>] = []
        for select in selects {
            spans.append(storage.count ..< storage.count + select.key.count)
            storage += select.key
        }
        let result = storage.withUnsafeBytes { bytes in
            let borrowed = zip(selects, spans).map { select, span in
                BorrowedSelect(key: UnsafeRawBufferPointer(rebasing: bytes[span]), offset: select.offset,
                               limit: select.limit)
            }
            return borrowed.withUnsafeBufferPointer { batch in
                Result { () throws(LWWSetError) in try body(batch) }
            }
        }
        return try result.get()
    }

    /// Applies `writes` to `set` as one batch, returning what it reported, in call order.
    static func writeBatched(_ writes: [Write], into set: inout LWWSet) -> [Reported] {
        var reported: [Reported] = []
        withBorrowed(writes) { batch in
            set.write(batch) { index, result in reported.append((index, result)) }
        }
        return reported
    }

    /// Applies `writes` to `set` one at a time, returning each one's result.
    static func writeOneAtATime(_ writes: [Write], into set: inout LWWSet) -> [Result<WriteOutcome, LWWSetError>] {
        writes.map { write in
            Result { () throws(LWWSetError) in
                try set.write(write.kind, key: write.key, score: write.score, member: write.member)
            }
        }
    }

    /// Runs `selects` on `set` as one batch into `selection`, returning each callback's
    /// index and a copy of its selection, in call order.
    static func selectBatched(
        _ selects: [Select], on set: LWWSet, into selection: inout Selection
    ) throws(LWWSetError) -> [(index: Int, selection: Selection)] {
        var results: [(index: Int, selection: Selection)] = []
        try withBorrowed(selects) { (batch) throws(LWWSetError) in
            try set.select(batch, into: &selection) { index, selection in results.append((index, selection)) }
        }
        return results
    }

    /// Expects a batch of `count` writes to have reported every index once, in order, with
    /// the results of the same writes one at a time.
    static func expectReported(
        _ reported: [Reported], _ expected: [Result<WriteOutcome, LWWSetError>], _ context: Comment,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reported.map { $0.index } == Array(expected.indices), context, sourceLocation: sourceLocation)
        #expect(reported.map { $0.result } == expected, context, sourceLocation: sourceLocation)
    }

    /// `set.statistics`, less the key table's array buffers in `reservedBytes`: a Swift
    /// array's capacity follows malloc's usable size, which depends on the heap's history,
    /// so the same writes one at a time can reserve 16 bytes more or less there. Every
    /// other buffer's size follows from the writes alone.
    static func statistics(_ set: LWWSet) -> LWWSet.Statistics {
        var statistics = set.statistics
        statistics.reservedBytes -= set.keys.reservedBytes
        return statistics
    }

    /// Expects `batched` and `single` to hold the same sets: equal, with the same
    /// statistics and bound, and the same visible entries and tombstones under `keys`.
    static func expectSameSet(
        _ batched: LWWSet, _ single: LWWSet, keys: some Sequence<[UInt8]>, _ context: Comment,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(batched == single, context, sourceLocation: sourceLocation)
        #expect(statistics(batched) == statistics(single), context, sourceLocation: sourceLocation)
        #expect(batched.maxSize == single.maxSize, context, sourceLocation: sourceLocation)
        for key in keys {
            #expect(try batched.select(key: key, offset: 0, limit: 0) == single.select(key: key, offset: 0, limit: 0),
                    context, sourceLocation: sourceLocation)
            #expect(batched.tombstones(key: key) == single.tombstones(key: key), context, sourceLocation: sourceLocation)
        }
    }

    /// A random write over three lasting keys and, one write in five, four keys named after
    /// `round` (new in that round's batch, so first seen inside a chunk and often written
    /// again in it). Scores tie often and are now and then infinite.
    static func randomWrite(_ random: inout SplitMix64, round: Int) -> Write {
        var write = ModelTests.randomWrite(&random, keys: 3, members: 24, scores: 12)
        if Int.random(in: 0 ..< 5, using: &random) == 0 {
            write.key = Array("new\(round)-\(Int.random(in: 0 ..< 4, using: &random))".utf8)
        }
        switch Int.random(in: 0 ..< 60, using: &random) {
        case 0: write.score = .infinity
        case 1: write.score = -.infinity
        default: break
        }
        return write
    }

    /// Makes `write` invalid in one of three ways and returns the error it must report.
    static func invalidate(_ write: inout Write, _ random: inout SplitMix64) -> LWWSetError {
        switch Int.random(in: 0 ..< 3, using: &random) {
        case 0:
            write.score = .nan
            return .notANumber
        case 1:
            write.key = longKey
            return .keyTooLong(length: longKey.count)
        default:
            write.member = longMember
            return .memberTooLong(length: longMember.count)
        }
    }

    /// Parses "key insert 3 a" / "key delete 5 b" (member "-" for the empty one).
    static func parse(_ text: String) -> Write {
        let parts = text.split(separator: " ").map(String.init)
        let member = parts[3] == "-" ? [] : Array(parts[3].utf8)
        return (parts[1] == "insert" ? .insert : .delete, Array(parts[0].utf8), Double(parts[2])!, member)
    }

    /// The keys that `writes` name, valid ones only, each once.
    static func keys(of writes: some Sequence<Write>) -> Set<[UInt8]> {
        Set(writes.map { $0.key }.filter { $0.count <= LWWSet.maximumKeyLength })
    }

    // MARK: Writes

    @Test(arguments: UInt64(1) ... 8)
    func batchedWritesMatchWritesOneAtATimeAndTheModel(seed: UInt64) throws {
        for maxSize in [1, 2, 3, 1000] {
            var random = SplitMix64(seed: seed &* 104_729 &+ UInt64(maxSize))
            var batched = try LWWSet(maxSize: maxSize)
            var single = try LWWSet(maxSize: maxSize)
            var model = ReferenceModel(maxSize: maxSize)
            var keys = Set<[UInt8]>()
            var seen = Set<WriteOutcome>()
            // Successive batches on the same sets, so later batches meet full sets and keys
            // that earlier ones made.
            for (round, size) in Self.batchSizes.enumerated() {
                let writes = (0 ..< size).map { _ in Self.randomWrite(&random, round: round) }
                keys.formUnion(Self.keys(of: writes))
                let context: Comment = "seed \(seed) maxSize \(maxSize) batch of \(size)"
                let reported = Self.writeBatched(writes, into: &batched)
                let expected = Self.writeOneAtATime(writes, into: &single)
                Self.expectReported(reported, expected, context)
                let modelled = writes.map { model.write($0.kind, key: $0.key, score: $0.score, member: $0.member) }
                #expect(reported.map { $0.result } == modelled.map { .success($0) }, context)
                try Self.expectSameSet(batched, single, keys: keys, context)
                seen.formUnion(modelled)
            }
            // The scripts reach the rules (so a batch that got one wrong would show): the
            // size gate under the small bounds, the member checks under the large one.
            #expect(seen.contains(.applied), "seed \(seed) maxSize \(maxSize)")
            if maxSize <= 3 {
                #expect(seen.contains(.ignoredBySizeGate), "seed \(seed) maxSize \(maxSize)")
            } else {
                #expect(seen.contains(.ignoredByNewerDelete) && seen.contains(.ignoredByNewerInsert),
                        "seed \(seed) maxSize \(maxSize)")
            }
        }
    }

    @Test(arguments: UInt64(1) ... 8)
    func invalidWritesFailAtTheirIndexWhileTheOthersApply(seed: UInt64) throws {
        var random = SplitMix64(seed: seed &+ 31_337)
        var batched = try LWWSet(maxSize: 2)
        var single = try LWWSet(maxSize: 2)
        var keys = Set<[UInt8]>()
        for (round, size) in [17, 1, 40, 16, 200].enumerated() {
            var writes: [Write] = []
            var errors: [Int: LWWSetError] = [:]
            for index in 0 ..< size {
                var write = Self.randomWrite(&random, round: round)
                // The first write of the one-write batch is invalid, and about one in six others.
                if size == 1 || Int.random(in: 0 ..< 6, using: &random) == 0 {
                    errors[index] = Self.invalidate(&write, &random)
                }
                writes.append(write)
            }
            keys.formUnion(Self.keys(of: writes))
            let context: Comment = "seed \(seed) batch of \(size)"
            let reported = Self.writeBatched(writes, into: &batched)
            let expected = Self.writeOneAtATime(writes, into: &single)
            Self.expectReported(reported, expected, context)
            for (index, report) in reported.enumerated() {
                if let error = errors[index] {
                    #expect(report.result == .failure(error), "\(context) index \(index)")
                } else {
                    #expect((try? report.result.get()) != nil, "\(context) index \(index)")
                }
            }
            if size > 1 {
                #expect(reported.contains { (try? $0.result.get()) == .applied }, context)
            }
            try Self.expectSameSet(batched, single, keys: keys, context)
        }
    }

    @Test func aBatchOfOnlyInvalidWritesChangesNothing() throws {
        var set = try LWWSet(maxSize: 3)
        try set.apply("k", "insert 1 a", "insert 2 b", "delete 3 c")
        let before = set.statistics
        let visible = try set.visible("k")
        // Every kind of error, on the known key and on keys never seen, over two chunks.
        var writes: [Write] = []
        var errors: [LWWSetError] = []
        for index in 0 ..< 20 {
            let key = Array((index % 2 == 0 ? "k" : "fresh\(index)").utf8)
            switch index % 3 {
            case 0:
                writes.append((.insert, key, .nan, Array("a".utf8)))
                errors.append(.notANumber)
            case 1:
                writes.append((.delete, Self.longKey, 9, Array("a".utf8)))
                errors.append(.keyTooLong(length: Self.longKey.count))
            default:
                writes.append((.insert, key, 9, Self.longMember))
                errors.append(.memberTooLong(length: Self.longMember.count))
            }
        }
        let reported = Self.writeBatched(writes, into: &set)
        Self.expectReported(reported, errors.map { .failure($0) }, "only invalid writes")
        #expect(set.statistics == before)
        #expect(try set.visible("k") == visible)
        #expect(set.deleted("k") == "c:3")
        #expect(set.tombstones(key: "fresh1".utf8).isEmpty)
    }

    @Test func keysAndMembersAtTheLengthLimitsApplyBesideOnesOverThem() throws {
        var batched = try LWWSet()
        var single = try LWWSet()
        let key = [UInt8](repeating: 0x6b, count: LWWSet.maximumKeyLength)
        let member = [UInt8](repeating: 0x6d, count: LWWSet.maximumMemberLength)
        let writes: [Write] = [
            (.insert, key, 1, member), (.insert, Self.longKey, 2, member), (.insert, key, 2, Self.longMember),
            (.delete, key, 1, member), (.insert, key, .nan, member), (.insert, key, 3, member),
        ]
        let reported = Self.writeBatched(writes, into: &batched)
        Self.expectReported(reported, Self.writeOneAtATime(writes, into: &single), "length limits")
        #expect(reported.map { $0.result } == [
            .success(.applied), .failure(.keyTooLong(length: Self.longKey.count)),
            .failure(.memberTooLong(length: Self.longMember.count)), .success(.applied),
            .failure(.notANumber), .success(.applied),
        ])
        #expect(try Array(batched.select(key: key, offset: 0, limit: 0)) == [Selection.Entry(member: member, score: 3)])
        #expect(batched.tombstones(key: key).isEmpty)
        try Self.expectSameSet(batched, single, keys: [key], "length limits")
    }

    @Test func anEmptyBatchReportsNothingAndChangesNothing() throws {
        var set = try LWWSet()
        try set.apply("k", "insert 1 a", "delete 2 b")
        let before = set.statistics
        let reported = Self.writeBatched([], into: &set)
        #expect(reported.isEmpty)
        #expect(set.statistics == before)
        #expect(try set.visible("k") == "a:1")
        #expect(set.deleted("k") == "b:2")
    }

    /// Writes of new members (which the set runs as an add alone, without the rules) next to
    /// the writes that need the rules: the insert that reaches past the bound and trims,
    /// the insert below a tombstone, the gate of a full set, and the delete of a visible
    /// member. Each write is its own batch (so that each is run with what the batch's passes
    /// found of its sets), all of them one batch, and one at a time: every way, the outcomes
    /// and the sets the rules give.
    @Test func newMembersBesideWritesThatNeedTheRules() throws {
        let script = [
            "insert 1 a", "insert 2 b", "insert 3 c", "delete 5 d", "insert 4 d", "insert 1 e", "delete 6 b", "insert 7 f",
        ]
        let writes: [Write] = script.map { line in
            let parts = line.split(separator: " ")
            return (parts[0] == "insert" ? .insert : .delete, Array("k".utf8), Double(String(parts[1]))!, Array(parts[2].utf8))
        }
        let expected: [Result<WriteOutcome, LWWSetError>] = [
            .success(.applied), .success(.applied), .success(.applied), .success(.applied),
            .success(.ignoredByNewerDelete), .success(.ignoredBySizeGate), .success(.applied), .success(.applied),
        ]
        var single = try LWWSet(maxSize: 2)
        #expect(Self.writeOneAtATime(writes, into: &single) == expected)
        var oneBatch = try LWWSet(maxSize: 2)
        Self.expectReported(Self.writeBatched(writes, into: &oneBatch), expected, "one batch")
        var batchesOfOne = try LWWSet(maxSize: 2)
        let reported = writes.map { Self.writeBatched([$0], into: &batchesOfOne).map { $0.result } }
        #expect(reported == expected.map { [$0] })
        for set in [single, oneBatch, batchesOfOne] {
            #expect(try set.visible("k") == "f:7 c:3")
            #expect(set.deleted("k") == "b:6 d:5")
            #expect(set.statistics.entries == 2)
            #expect(set.statistics.tombstones == 2)
        }
    }

    /// Eighteen writes to one key with a bound of 2: gates, trims, moves between the sets
    /// and ties, each depending on the writes before it in the same chunk.
    static let oneKeyScript = [
        "k insert 1 a", "k insert 2 b", "k insert 3 c", "k insert 1 d", "k delete 3 c", "k insert 3 c",
        "k insert 4 c", "k delete 2 b", "k delete 1 a", "k delete 0 z", "k insert 2 b", "k insert 5 a",
        "k delete 4 c", "k insert 6 e", "k insert 5 f", "k delete 6 e",
        // The second chunk.
        "k delete 4 f", "k insert 5 f",
    ].map(BatchTests.parse)

    static let oneKeyOutcomes: [WriteOutcome] = [
        .applied, .applied, .applied, .ignoredBySizeGate, .applied, .ignoredByNewerDelete,
        .applied, .applied, .applied, .ignoredBySizeGate, .ignoredByNewerDelete, .applied,
        .applied, .applied, .applied, .applied,
        .ignoredByNewerInsert, .applied,
    ]

    /// With the key known before the batch (its writes take the located path) and with the
    /// key new to the batch (they take the path for new keys until the next chunk).
    @Test(arguments: [true, false])
    func manyWritesToOneKeyInAChunkSeeEachOther(keyKnownBeforehand: Bool) throws {
        var batched = try LWWSet(maxSize: 2)
        var single = try LWWSet(maxSize: 2)
        var script = Self.oneKeyScript[...]
        var outcomes = Self.oneKeyOutcomes[...]
        if keyKnownBeforehand {
            let first = [script.removeFirst()]
            #expect(Self.writeBatched(first, into: &batched).map { $0.result } == [.success(outcomes.removeFirst())])
            _ = Self.writeOneAtATime(first, into: &single)
        }
        let writes = Array(script)
        let reported = Self.writeBatched(writes, into: &batched)
        Self.expectReported(reported, Self.writeOneAtATime(writes, into: &single), "known \(keyKnownBeforehand)")
        #expect(reported.map { $0.result } == outcomes.map { .success($0) })
        #expect(try batched.visible("k") == "f:5")
        #expect(batched.deleted("k") == "e:6 c:4")
        try Self.expectSameSet(batched, single, keys: [Array("k".utf8)], "known \(keyKnownBeforehand)")
    }

    @Test func aKeyFirstSeenInAChunkIsFoundByItsLaterWrites() throws {
        var batched = try LWWSet()
        try batched.apply("old", "insert 1 x")
        var single = batched
        let writes = [
            // The first chunk: new1 and new2 appear at indices 1 and 3 and are written
            // again further on; old is known throughout.
            "old insert 2 y", "new1 insert 1 a", "old delete 1 x", "new2 delete 1 x",
            "new1 insert 2 b", "new1 delete 1 a", "new2 insert 1 x", "old insert 3 x",
            "new1 insert 1 a", "new2 insert 2 x", "new3 delete 7 -", "new3 insert 7 -",
            "new1 insert 3 a", "old delete 2 y", "new2 delete 2 x", "new3 insert 8 -",
            // The second chunk: all three are known when it is located.
            "new1 delete 3 b", "new2 insert 3 x", "new3 delete 8 -", "old insert 2 y",
        ].map(Self.parse)
        let reported = Self.writeBatched(writes, into: &batched)
        Self.expectReported(reported, Self.writeOneAtATime(writes, into: &single), "new keys in a chunk")
        #expect(reported.map { $0.result } == ([
            .applied, .applied, .applied, .applied,
            .applied, .applied, .ignoredByNewerDelete, .applied,
            .ignoredByNewerDelete, .applied, .applied, .ignoredByNewerDelete,
            .applied, .applied, .applied, .applied,
            .applied, .applied, .applied, .ignoredByNewerDelete,
        ] as [WriteOutcome]).map { .success($0) })
        #expect(try batched.visible("old") == "x:3")
        #expect(batched.deleted("old") == "y:2")
        #expect(try batched.visible("new1") == "a:3")
        #expect(batched.deleted("new1") == "b:3")
        #expect(try batched.visible("new2") == "x:3")
        #expect(batched.deleted("new2") == "")
        #expect(try batched.visible("new3") == "")
        #expect(batched.deleted("new3") == ":8")
        #expect(batched.statistics.keys == 4)
        try Self.expectSameSet(batched, single, keys: ["old", "new1", "new2", "new3"].map { Array($0.utf8) }, "new keys")
    }

    /// A group's passes look at the sets before any of its writes runs; writes earlier in
    /// the group then grow those sets (new buffers), fill them to the bound and trim them,
    /// so what the later writes' passes saw is stale. Two keys, so every group both grows
    /// and meets each set several times; inserts, then deletes of the same members (the
    /// remove sets grow the same way), then inserts above the bound.
    @Test(arguments: [32, 33, 64, 200])
    func writesOfAGroupSeeTheSetsThatEarlierWritesOfItGrewAndTrimmed(batchSize: Int) throws {
        var batched = try LWWSet(maxSize: 40)
        var single = try LWWSet(maxSize: 40)
        let keys = [Array("k0".utf8), Array("k1".utf8)]
        let inserts: [Write] = (0 ..< 120).map { (.insert, keys[$0 % 2], Double($0), Array("member-\($0)".utf8)) }
        let deletes: [Write] = (0 ..< 120).map { (.delete, keys[$0 % 2], Double(200 + $0), Array("member-\($0)".utf8)) }
        let again: [Write] = (0 ..< 120).map { (.insert, keys[$0 % 3 == 0 ? 0 : 1], Double(400 + $0), Array("member-\($0)".utf8)) }
        for (name, writes) in [("inserts", inserts), ("deletes", deletes), ("inserts again", again)] {
            for start in stride(from: 0, to: writes.count, by: batchSize) {
                let chunk = Array(writes[start ..< min(start + batchSize, writes.count)])
                let context: Comment = "\(name) from \(start) in batches of \(batchSize)"
                Self.expectReported(Self.writeBatched(chunk, into: &batched), Self.writeOneAtATime(chunk, into: &single), context)
            }
            try Self.expectSameSet(batched, single, keys: keys, "after the \(name), batches of \(batchSize)")
        }
        #expect(batched.statistics.entries == 80)
        #expect(batched.statistics.tombstones == 40)
    }

    /// A write's passes find its member absent from sets that earlier writes of its group
    /// then change: here a member new to a key is inserted twice and deleted twice in one
    /// group, and a tombstoned member re-inserted, into sets with room to spare (no write
    /// grows them, which would make the later writes look again anyway). Trusting what the
    /// passes saw would store the member twice.
    @Test func writesOfAGroupToOneKeyLookAgainAtTheSetsEarlierOnesChanged() throws {
        var batched = try LWWSet()
        for i in 0 ..< 20 {
            try batched.apply("k", "insert \(i) old\(i)")
            try batched.apply("k", "delete \(i) gone\(i)")
        }
        try batched.apply("j", "insert 1 x")
        var single = batched
        let writes = [
            "k insert 30 new", "j insert 2 y", "k insert 31 new", "k delete 32 gone-again", "k delete 33 gone-again",
            "k insert 34 gone3", "j insert 3 y", "k insert 35 newer", "k delete 36 newer", "k insert 37 newer",
        ].map(Self.parse)
        let reported = Self.writeBatched(writes, into: &batched)
        Self.expectReported(reported, Self.writeOneAtATime(writes, into: &single), "one key in a group")
        #expect(reported.map { $0.result } == ([
            .applied, .applied, .applied, .applied, .applied, .applied, .applied, .applied, .applied, .applied,
        ] as [WriteOutcome]).map { .success($0) })
        #expect(batched.statistics.entries == 25)
        #expect(batched.statistics.tombstones == 20)
        #expect(try batched.select(key: "k".utf8, offset: 0, limit: 3).rendered == "newer:37 gone3:34 new:31")
        #expect(try batched.visible("j") == "y:3 x:1")
        #expect(batched.deleted("k").hasPrefix("gone-again:33 gone19:19"))
        try Self.expectSameSet(batched, single, keys: [Array("k".utf8), Array("j".utf8)], "one key in a group")
    }

    @Test func tiedScoresLetADeleteBeatAnInsertInEitherOrder() throws {
        var batched = try LWWSet()
        try batched.apply("k", "insert 1 other")
        var single = batched
        // k is known, j is new to the batch.
        let writes = [
            "k insert 5 x", "k delete 5 x", "k insert 5 x", "j delete 5 y", "j insert 5 y", "j delete 5 y",
            "k delete 1 other", "k insert 1 other",
        ].map(Self.parse)
        let reported = Self.writeBatched(writes, into: &batched)
        Self.expectReported(reported, Self.writeOneAtATime(writes, into: &single), "ties")
        #expect(reported.map { $0.result } == ([
            .applied, .applied, .ignoredByNewerDelete, .applied, .ignoredByNewerDelete, .ignoredByNewerDelete,
            .applied, .ignoredByNewerDelete,
        ] as [WriteOutcome]).map { .success($0) })
        #expect(try batched.visible("k") == "")
        #expect(batched.deleted("k") == "x:5 other:1")
        #expect(batched.deleted("j") == "y:5")
        try Self.expectSameSet(batched, single, keys: [Array("k".utf8), Array("j".utf8)], "ties")
    }

    // MARK: Selects

    static let selectKeys = (0 ..< 6).map { Array("s\($0)".utf8) }
    static let unknownKey = Array("missing".utf8)

    /// Keys s0 ... s5 holding 0 (tombstones only), 1, 5, 16, 17 and 60 visible entries,
    /// with tied scores.
    static func selectSample(_ random: inout SplitMix64) throws -> LWWSet {
        var set = try LWWSet()
        for (key, count) in zip(selectKeys, [0, 1, 5, 16, 17, 60]) {
            try set.delete(key: key, score: 100, member: "gone".utf8)
            for index in 0 ..< count {
                let score = Double(Int.random(in: 0 ..< 8, using: &random))
                try set.insert(key: key, score: score, member: Array("m\(index)".utf8))
            }
        }
        return set
    }

    /// A random select: offsets and limits at 0, within, at and past the key's entries, and
    /// now and then `Int.max`.
    static func randomSelect(_ random: inout SplitMix64, on set: LWWSet) throws -> Select {
        let keys = selectKeys + [unknownKey]
        let key = keys[Int.random(in: 0 ..< keys.count, using: &random)]
        let count = try set.select(key: key, offset: 0, limit: 0).count
        let offset = switch Int.random(in: 0 ..< 20, using: &random) {
        case 0 ..< 8: 0
        case 8: Int.max
        default: Int.random(in: 0 ... count + 2, using: &random)
        }
        let limit = switch Int.random(in: 0 ..< 20, using: &random) {
        case 0 ..< 5: 0
        case 5: Int.max
        default: Int.random(in: 1 ... 40, using: &random)
        }
        return (key, offset, limit)
    }

    @Test(arguments: UInt64(1) ... 8)
    func batchedSelectsMatchSingleSelects(seed: UInt64) throws {
        var random = SplitMix64(seed: seed &* 6_700_417)
        let set = try Self.selectSample(&random)
        // One selection for every batch, so a stale result would show.
        var selection = Selection()
        var longest = 0
        for size in [0, 1, 15, 16, 17, 40, 100] {
            let selects = try (0 ..< size).map { _ in try Self.randomSelect(&random, on: set) }
            let results = try Self.selectBatched(selects, on: set, into: &selection)
            #expect(results.map { $0.index } == Array(0 ..< size), "seed \(seed) batch of \(size)")
            for (select, result) in zip(selects, results) {
                let expected = try set.select(key: select.key, offset: select.offset, limit: select.limit)
                #expect(result.selection == expected,
                        "seed \(seed) batch of \(size) index \(result.index): \(select.offset), \(select.limit)")
                longest = max(longest, result.selection.count)
            }
        }
        // Some selects returned more entries than a batch's prefetch covers.
        #expect(longest > 16, "seed \(seed)")
    }

    @Test func batchedSelectsKeepRoshisQuirksAndEdges() throws {
        var set = try LWWSet()
        for index in 0 ..< 40 {
            try set.insert(key: "k".utf8, score: Double(index / 2), member: Array("m\(index)".utf8))
        }
        try set.delete(key: "dead".utf8, score: 1, member: "x".utf8)
        let k = Array("k".utf8)
        let requests: [(select: Select, count: Int)] = [
            ((k, 0, 0), 40),  // offset 0, limit 0: the whole set
            ((k, 1, 0), 0),  // a positive offset with limit 0: nothing
            ((k, 0, 20), 20),  // more than 16 entries
            ((k, 5, Int.max), 35),
            ((k, 39, 1), 1),
            ((k, 40, 1), 0),  // offset at the end
            ((k, Int.max, 5), 0),
            ((Self.unknownKey, 0, 0), 0),
            ((Array("dead".utf8), 0, 0), 0),  // a key with tombstones only
            ((k, 3, 17), 17),
        ]
        // Three times over: 30 selects, across two chunk boundaries.
        let batch = Array(repeating: requests, count: 3).flatMap { $0 }
        var selection = Selection(reservingEntries: 4, memberBytes: 8)
        let results = try Self.selectBatched(batch.map { $0.select }, on: set, into: &selection)
        #expect(results.map { $0.index } == Array(batch.indices))
        for ((select, count), result) in zip(batch, results) {
            #expect(result.selection.count == count, "index \(result.index)")
            #expect(result.selection == (try set.select(key: select.key, offset: select.offset, limit: select.limit)),
                    "index \(result.index)")
        }
        #expect(results[0].selection.first?.member == Array("m39".utf8)[...])
        #expect(results[4].selection.rendered == "m0:0")
    }

    /// The bad select at the start, at the end of the first chunk, at the start of the
    /// second, and last.
    @Test(arguments: [0, 15, 16, 39])
    func aNegativeOffsetOrLimitAnywhereThrowsBeforeAnySelectRuns(position: Int) throws {
        var random = SplitMix64(seed: UInt64(position))
        let set = try Self.selectSample(&random)
        let valid = try (0 ..< 40).map { _ in try Self.randomSelect(&random, on: set) }
        var selection = try set.select(key: Self.selectKeys[5], offset: 0, limit: 3)
        let before = selection
        for (bad, error) in [
            ((Self.selectKeys[3], -1, 5), LWWSetError.negativeOffset(-1)),
            ((Self.selectKeys[3], 0, -3), .negativeLimit(-3)),
            ((Self.unknownKey, Int.min, -1), .negativeOffset(Int.min)),  // offset is checked first
        ] as [(Select, LWWSetError)] {
            var selects = valid
            selects[position] = bad
            var calls = 0
            #expect(throws: error) {
                try Self.withBorrowed(selects) { (batch) throws(LWWSetError) in
                    try set.select(batch, into: &selection) { _, _ in calls += 1 }
                }
            }
            #expect(calls == 0, "\(error) at \(position)")
            #expect(selection == before, "\(error) at \(position)")
        }
        // The first bad select in the batch is the one reported.
        var selects = valid
        selects[position] = (Self.selectKeys[2], 0, -7)
        selects[39 - position] = (Self.selectKeys[2], -8, 0)
        #expect(throws: position < 20 ? LWWSetError.negativeLimit(-7) : .negativeOffset(-8)) {
            try Self.selectBatched(selects, on: set, into: &selection)
        }
        // Without the bad ones, the same batch runs every select.
        #expect(try Self.selectBatched(valid, on: set, into: &selection).count == 40)
    }

    // MARK: Value semantics

    /// What a set holds under `keys`, as values that share nothing with it.
    struct Snapshot: Equatable {
        var statistics: LWWSet.Statistics
        var maxSize: Int
        var visible: [Selection]
        var tombstones: [Selection]

        init(_ set: LWWSet, keys: [[UInt8]]) throws {
            statistics = set.statistics
            maxSize = set.maxSize
            visible = try keys.map { try set.select(key: $0, offset: 0, limit: 0) }
            tombstones = keys.map { set.tombstones(key: $0) }
        }
    }

    /// A set of bound 3 with 300 random writes over keys k0 ... k2, and those keys.
    static func valueSample(seed: UInt64) throws -> (set: LWWSet, script: [Write], keys: [[UInt8]]) {
        var random = SplitMix64(seed: seed)
        let script = (0 ..< 300).map { _ in ModelTests.randomWrite(&random, keys: 3, members: 24, scores: 12) }
        var set = try LWWSet(maxSize: 3)
        _ = writeOneAtATime(script, into: &set)
        return (set, script, (0 ..< 3).map { Array("k\($0)".utf8) })
    }

    /// A batch of 40 writes whose first goes to a key the sample knows, or to a new one.
    static func valueBatch(seed: UInt64, firstKeyKnown: Bool) -> [Write] {
        var random = SplitMix64(seed: seed &+ 99)
        var writes = (0 ..< 40).map { _ in randomWrite(&random, round: 0) }
        writes[0] = (.insert, Array((firstKeyKnown ? "k0" : "brand-new").utf8), 1000, Array("top".utf8))
        return writes
    }

    @Test(arguments: UInt64(1) ... 4, [true, false])
    func batchWritesToACopyLeaveTheOriginalUnchanged(seed: UInt64, firstKeyKnown: Bool) throws {
        let (sample, script, sampleKeys) = try Self.valueSample(seed: seed)
        var original = sample
        let batch = Self.valueBatch(seed: seed, firstKeyKnown: firstKeyKnown)
        var keys = sampleKeys
        keys += Self.keys(of: batch).filter { !keys.contains($0) }
        let snapshot = try Snapshot(original, keys: keys)

        var copy = original
        _ = Self.writeBatched(batch, into: &copy)
        // The original, against a replay that never shared storage with it.
        var replayed = try LWWSet(maxSize: 3)
        _ = Self.writeOneAtATime(script, into: &replayed)
        #expect(try Snapshot(original, keys: keys) == snapshot)
        #expect(original == replayed)
        // The copy took the writes, as one at a time on a fresh replay would.
        var expected = try LWWSet(maxSize: 3)
        _ = Self.writeOneAtATime(script + batch, into: &expected)
        try Self.expectSameSet(copy, expected, keys: keys, "copy, first key known \(firstKeyKnown)")
        #expect(copy != original)

        // And the other way: a batch into the original leaves the copy as it was.
        let copySnapshot = try Snapshot(copy, keys: keys)
        _ = Self.writeBatched(Self.valueBatch(seed: seed &+ 1, firstKeyKnown: !firstKeyKnown), into: &original)
        #expect(try Snapshot(copy, keys: keys) == copySnapshot)
        #expect(copy == expected)
    }

    @Test(arguments: UInt64(1) ... 4)
    func settingTheBoundOfACopyLeavesTheOriginalUnchanged(seed: UInt64) throws {
        let (sample, script, keys) = try Self.valueSample(seed: seed)
        var original = sample
        try original.setMaxSize(1000)
        let snapshot = try Snapshot(original, keys: keys)
        var copy = original
        try copy.setMaxSize(1)
        #expect(try Snapshot(original, keys: keys) == snapshot)
        #expect(original.maxSize == 1000)
        #expect(copy.maxSize == 1)
        #expect(try keys.allSatisfy { try copy.select(key: $0, offset: 0, limit: 0).count <= 1 })
        #expect(copy.statistics.entries < original.statistics.entries || original.statistics.entries <= 3)
        // A batch into the original after the copy shrank leaves the copy alone too.
        let copySnapshot = try Snapshot(copy, keys: keys)
        let batch = Self.valueBatch(seed: seed, firstKeyKnown: true)
        let reported = Self.writeBatched(batch, into: &original)
        var expected = try LWWSet(maxSize: 3)
        _ = Self.writeOneAtATime(script, into: &expected)
        try expected.setMaxSize(1000)
        Self.expectReported(reported, Self.writeOneAtATime(batch, into: &expected), "seed \(seed)")
        try Self.expectSameSet(original, expected, keys: keys + Self.keys(of: batch), "seed \(seed)")
        #expect(try Snapshot(copy, keys: keys) == copySnapshot)
    }

    @Test(arguments: UInt64(1) ... 4)
    func singleWritesToACopyLeaveTheOriginalUnchanged(seed: UInt64) throws {
        let (original, script, keys) = try Self.valueSample(seed: seed)
        let snapshot = try Snapshot(original, keys: keys)
        var copy = original
        let batch = Self.valueBatch(seed: seed, firstKeyKnown: true)
        _ = Self.writeOneAtATime(batch, into: &copy)
        #expect(try Snapshot(original, keys: keys) == snapshot)
        #expect(copy != original)
        // Then a batch into the copy: the original still unchanged.
        _ = Self.writeBatched(Self.valueBatch(seed: seed &+ 1, firstKeyKnown: false), into: &copy)
        #expect(try Snapshot(original, keys: keys) == snapshot)
        var replayed = try LWWSet(maxSize: 3)
        _ = Self.writeOneAtATime(script, into: &replayed)
        #expect(original == replayed)
    }
}

/// Batches allocate nothing in the steady state (counted by the CAllocCounter interposer,
/// which a sanitizer build leaves out, so there these tests are skipped).
@Suite(.enabled(if: ringside_alloc_counter_interposes() != 0, "malloc is not interposed under a sanitizer"))
struct BatchAllocationTests {
    static let keys: [[UInt8]] = (0 ..< 8).map { Array("timeline:\($0)".utf8) }

    /// The keys' bytes one after another, and the range of each.
    static func packed(_ arrays: [[UInt8]]) -> (bytes: [UInt8], ranges: [Range<Int>]) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for array in arrays {
            ranges.append(bytes.count ..< bytes.count + array.count)
            bytes += array
        }
        return (bytes, ranges)
    }

    @Test func batchedSelectsIntoAReservedSelectionDoNotAllocate() throws {
        var set = try LWWSet()
        for index in 0 ..< 256 {
            try set.insert(key: Self.keys[index % Self.keys.count], score: Double(index),
                           member: Array("member-\(index)-0123456".utf8))
        }
        let (keyBytes, keyRanges) = Self.packed(Self.keys + [Array("unknown".utf8)])
        var selection = Selection(reservingEntries: 64, memberBytes: 4096)
        var entries = 0
        var checksum = 0.0
        try keyBytes.withUnsafeBytes { bytes in
            // 40 selects (three chunks): whole sets, ranks past 16, unknown keys, empty ranges.
            let selects = (0 ..< 40).map { index in
                BorrowedSelect(key: UnsafeRawBufferPointer(rebasing: bytes[keyRanges[index % keyRanges.count]]),
                               offset: index % 5 == 0 ? 0 : index % 7, limit: index % 3 == 0 ? 0 : 20)
            }
            try selects.withUnsafeBufferPointer { batch in
                func run() throws {
                    try set.select(batch, into: &selection) { _, selection in
                        entries += selection.count
                        if !selection.isEmpty { checksum += selection.score(at: 0) }
                    }
                }
                // Warm up: the first calls instantiate generic metadata, once per process.
                try run()
                let counted = try AllocationTests.allocations {
                    for _ in 0 ..< 50 { try run() }
                }
                #expect(counted == 0)
            }
        }
        #expect(entries > 51 * 16 * 16)
        #expect(checksum > 0)
    }

    @Test func batchedWritesToSetsAtTheirBoundDoNotAllocate() throws {
        var set = try LWWSet(maxSize: 16)
        let (keyBytes, keyRanges) = Self.packed(Self.keys)
        // 200 members of 16 bytes, differing in their last 8.
        let (memberBytes, memberRanges) = Self.packed((0 ..< 200).map { number in
            [UInt8](repeating: 0x6d, count: 8) + withUnsafeBytes(of: UInt64(number)) { Array($0) }
        })
        var applied = 0
        var failed = 0
        keyBytes.withUnsafeBytes { keys in
            memberBytes.withUnsafeBytes { members in
                func writes(_ range: Range<Int>) -> [BorrowedWrite] {
                    range.map { i in
                        BorrowedWrite((i / 8) % 2 == 0 ? .delete : .insert,
                                      key: UnsafeRawBufferPointer(rebasing: keys[keyRanges[i % keyRanges.count]]),
                                      score: Double(i),
                                      member: UnsafeRawBufferPointer(rebasing: members[memberRanges[i % 200]]))
                    }
                }
                // Fill every set to its bound and let the buffers settle (this also warms up).
                writes(0 ..< 20_000).withUnsafeBufferPointer { all in
                    for start in stride(from: 0, to: all.count, by: 40) {
                        set.write(UnsafeBufferPointer(rebasing: all[start ..< start + 40])) { _, _ in }
                    }
                }
                writes(20_000 ..< 30_000).withUnsafeBufferPointer { all in
                    let counted = AllocationTests.allocations {
                        for start in stride(from: 0, to: all.count, by: 40) {
                            set.write(UnsafeBufferPointer(rebasing: all[start ..< start + 40])) { _, result in
                                switch result {
                                case .success(let outcome): if outcome.isApplied { applied += 1 }
                                case .failure: failed += 1
                                }
                            }
                        }
                    }
                    #expect(counted == 0)
                }
            }
        }
        // Each key sees 25 members, each visible or deleted; the scores rise, so every write applies.
        #expect(set.statistics.entries + set.statistics.tombstones == 25 * Self.keys.count)
        #expect(applied == 10_000)
        #expect(failed == 0)
    }
}
