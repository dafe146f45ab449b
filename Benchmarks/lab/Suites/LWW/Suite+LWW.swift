import SeededRandom
import CRingside
import Foundation
import Glibc
import LWWSet

extension Suite {
    /// The last-writer-wins set on one thread: writes, top-10 selects and memory per entry
    /// over 10,000 keys and 1,000,000 16-byte members with increasing scores, each case also
    /// as `reads_per_op`: its time per operation over the dependent random-read latency
    /// measured in the same run (`LWWReadProbe`, case `lww-read-probe`).
    static let lww = Suite(
        name: "lww",
        summary: "LWWSet on one thread: inserts, deletes, top-10 selects, memory per entry (10k keys, 1M 16-byte members), in random reads per op",
        peers: ["lww-memory": LWWWorkload.memoryPeer]
    ) { context in
        // The compute floor first (`--case floor` runs it alone, in seconds).
        try LWWFloor.run(&context)
        // Inserts just below the top, on a fixed workload (`--case lww-insert-near-top` alone).
        try LWWNearTop.run(&context)
        let workload = LWWWorkload(
            keys: context.scaled(10_000, minimum: 100), members: context.scaled(1_000_000, minimum: 10_000))
        context.progress("lww: \(workload.keyCount) keys, \(workload.memberCount) members, \(context.runs) runs")
        let issueCases = [
            "lww-read-probe", "lww-insert", "lww-insert-batched", "lww-memory", "lww-select-top10",
            "lww-select-top10-batched", "lww-insert-at-bound", "lww-insert-at-bound-batched", "lww-delete",
            "lww-delete-batched",
        ]
        guard context.casePattern.map({ pattern in issueCases.contains(where: pattern.matches) }) ?? true else { return }
        let probe = try LWWReadProbe(steps: context.scaled(2_000_000, minimum: 100_000))
        var selection = Selection(reservingEntries: 10, memberBytes: 10 * LWWWorkload.memberLength)
        var batches = LWWWorkload.Batches()
        for _ in context.repetitions("lww") {
            // lww-read-probe: the random-read latency this run's cases are held against,
            // measured before each half of the cases (each half is held against its own).
            var recorder = LWWRecorder(readNanoseconds: probeReads(probe, &context))

            // lww-insert: every member once, into a fresh set, scores increasing.
            var set = try LWWSet()
            recorder.record("lww-insert", try workload.measure { try workload.writeAll(.insert, into: &set, scoreBase: 0) }, &context)
            let statistics = set.statistics
            context.record(
                case: "lww-memory", metric: "bytes_per_entry_reserved",
                value: Double(statistics.reservedBytes - statistics.memberBytes) / Double(statistics.entries), unit: "B")

            // lww-insert-batched: the same writes into another fresh set, 64 per call, as the
            // single writer applies what one ring read returned (`LWWSet.write(_:outcome:)`).
            var batched = try LWWSet()
            recorder.record("lww-insert-batched", try workload.measure {
                try workload.writeAll(.insert, into: &batched, scoreBase: 0, batches: &batches)
            }, &context)

            // lww-select-top10: the ten highest entries of a random key, into one selection;
            // then the same selects 64 per call (`LWWSet.select(_:into:each:)`).
            recorder.record("lww-select-top10", try workload.measure { try workload.selectTop10(from: set, into: &selection) }, &context)
            recorder.record("lww-select-top10-batched", try workload.measure {
                try workload.selectTop10(from: set, into: &selection, batches: &batches)
            }, &context)

            recorder.readNanoseconds = probeReads(probe, &context)

            // lww-insert-at-bound: sets at their bound (maxSize = members per key, on
            // average), every member written again above its set's top: the steady state,
            // which must not allocate. Keys are drawn at random, so a key holds about as
            // many members as the bound: under a key with more (51 % of the writes on
            // defaults) each insert adds its member (trimmed by the write before) and trims
            // the lowest entry; under the others it finds its member at the bottom and
            // moves it to the top. A first pass lets the buffers settle at their steady-state
            // sizes. The batched case does the same to the batched set (equal to the other
            // one), 64 per call.
            let bound = workload.memberCount / workload.keyCount
            try set.setMaxSize(bound)
            _ = try workload.writeAll(.insert, into: &set, scoreBase: Double(workload.memberCount))
            recorder.record("lww-insert-at-bound", try workload.measure {
                try workload.writeAll(.insert, into: &set, scoreBase: Double(2 * workload.memberCount))
            }, &context)
            try batched.setMaxSize(bound)
            _ = try workload.writeAll(.insert, into: &batched, scoreBase: Double(workload.memberCount), batches: &batches)
            recorder.record("lww-insert-at-bound-batched", try workload.measure {
                try workload.writeAll(.insert, into: &batched, scoreBase: Double(2 * workload.memberCount), batches: &batches)
            }, &context)

            // lww-delete: every member deleted with a newer score (add set -> remove set);
            // batched: the same deletes to the batched set, 64 per call.
            try set.setMaxSize(LWWSet.defaultMaxSize)
            recorder.record("lww-delete", try workload.measure {
                try workload.writeAll(.delete, into: &set, scoreBase: Double(3 * workload.memberCount))
            }, &context)
            try batched.setMaxSize(LWWSet.defaultMaxSize)
            recorder.record("lww-delete-batched", try workload.measure {
                try workload.writeAll(.delete, into: &batched, scoreBase: Double(3 * workload.memberCount), batches: &batches)
            }, &context)
            precondition(set == batched, "lww: the batched writes left another set than the single ones")

            // lww-memory: heap the set takes in a fresh process (resident-set growth).
            let bytesPerEntry = try workload.measureMemoryInPeer()
            context.record(case: "lww-memory", metric: "bytes_per_entry", value: bytesPerEntry, unit: "B")
        }
    }

    /// Measures the probe and records it (case `lww-read-probe`): returns the dependent
    /// read's nanoseconds.
    private static func probeReads(_ probe: borrowing LWWReadProbe, _ context: inout SuiteContext) -> Double {
        let reads = probe.measure()
        context.record(case: "lww-read-probe", metric: "dependent_read_ns", value: reads.dependentNanoseconds, unit: "ns")
        context.record(case: "lww-read-probe", metric: "parallel_read_ns", value: reads.parallelNanoseconds, unit: "ns")
        context.recordRandomReadLimit(dependentNanoseconds: reads.dependentNanoseconds, parallelNanoseconds: reads.parallelNanoseconds)
        return reads.dependentNanoseconds
    }
}

/// The lww suite's data: member i is 16 bytes (a scrambled 8-byte prefix, then i
/// big-endian), written under a pseudo-random key of `keyCount` with score i.
struct LWWWorkload {
    static let memberLength = 16
    let keyCount: Int
    let memberCount: Int
    /// Member i's bytes at `i * memberLength`.
    private let members: [UInt8]
    /// Keys' bytes, `keyLength` each.
    private let keys: [UInt8]
    /// The key of write i.
    private let keyOfWrite: [Int32]
    /// The keys that select i reads.
    private let keyOfSelect: [Int32]
    private static let keyLength = 14

    init(keys keyCount: Int, members memberCount: Int) {
        self.keyCount = keyCount
        self.memberCount = memberCount
        var members = [UInt8](repeating: 0, count: memberCount * Self.memberLength)
        members.withUnsafeMutableBytes { bytes in
            for i in 0 ..< memberCount { Self.writeMember(i, into: UnsafeMutableRawBufferPointer(rebasing: bytes[(i * Self.memberLength)...])) }
        }
        self.members = members
        self.keys = (0 ..< keyCount).flatMap { Self.key($0) }
        var random = SplitMix64(seed: 0x1ab5)
        keyOfWrite = (0 ..< memberCount).map { _ in Int32(random.next() % UInt64(keyCount)) }
        keyOfSelect = (0 ..< memberCount).map { _ in Int32(random.next() % UInt64(keyCount)) }
    }

    /// Key k: "timeline:" and five digits, 14 bytes.
    static func key(_ k: Int) -> [UInt8] {
        let digits = String(k)
        return Array(("timeline:" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits).utf8.prefix(keyLength))
    }

    static func writeMember(_ i: Int, into bytes: UnsafeMutableRawBufferPointer) {
        var scramble = SplitMix64(seed: UInt64(i))
        bytes.storeBytes(of: scramble.next(), toByteOffset: 0, as: UInt64.self)
        bytes.storeBytes(of: UInt64(i).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// Writes member i under its key at `scoreBase + i`, for every i.
    func writeAll(_ kind: WriteKind, into set: inout LWWSet, scoreBase: Double) throws -> Int {
        var applied: UInt64 = 0
        try members.withUnsafeBytes { members in
            try keys.withUnsafeBytes { keys in
                for i in 0 ..< memberCount {
                    let write = try set.write(
                        kind, key: key(Int(keyOfWrite[i]), keys), score: scoreBase + Double(i), member: member(i, members))
                    if write.isApplied { applied += 1 }
                }
            }
        }
        ringside_opaque_sink_u64(applied)
        return memberCount
    }

    /// Reusable buffers of borrowed operations for the batched cases, made before measuring.
    struct Batches {
        static let size = 64
        var writes: [BorrowedWrite]
        var selects: [BorrowedSelect]

        init() {
            let none = UnsafeRawBufferPointer(start: nil, count: 0)
            writes = Array(repeating: BorrowedWrite(.insert, key: none, score: 0, member: none), count: Self.size)
            selects = Array(repeating: BorrowedSelect(key: none, offset: 0, limit: 10), count: Self.size)
        }
    }

    /// Writes member i under its key at `scoreBase + i`, for every i, in batches of
    /// `Batches.size` borrowed writes.
    func writeAll(_ kind: WriteKind, into set: inout LWWSet, scoreBase: Double, batches: inout Batches) throws -> Int {
        try members.withUnsafeBytes { members in
            try keys.withUnsafeBytes { keys in
                try batches.writes.withUnsafeMutableBufferPointer { batch in
                    try set.writeInBatches(memberCount, through: batch) { i in
                        BorrowedWrite(kind, key: key(Int(keyOfWrite[i]), keys), score: scoreBase + Double(i), member: member(i, members))
                    }
                }
            }
        }
        return memberCount
    }

    /// Selects the top 10 of a pseudo-random key `memberCount` times, in batches of `Batches.size`.
    func selectTop10(from set: LWWSet, into selection: inout Selection, batches: inout Batches) throws -> Int {
        var checksum: UInt64 = 0
        try keys.withUnsafeBytes { keys in
            try batches.selects.withUnsafeMutableBufferPointer { batch in
                for start in stride(from: 0, to: memberCount, by: batch.count) {
                    let count = min(batch.count, memberCount - start)
                    for i in start ..< start + count {
                        batch[i - start].key = key(Int(keyOfSelect[i]), keys)
                    }
                    try set.select(UnsafeBufferPointer(rebasing: batch[..<count]), into: &selection) { _, selection in
                        checksum &+= Self.checksum(selection)
                    }
                }
            }
        }
        ringside_opaque_sink_u64(checksum)
        return memberCount
    }

    /// Key k's bytes in `keys`.
    private func key(_ k: Int, _ keys: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: keys[(k * Self.keyLength) ..< ((k + 1) * Self.keyLength)])
    }

    /// Member i's bytes in `members`.
    private func member(_ i: Int, _ members: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: members[(i * Self.memberLength) ..< ((i + 1) * Self.memberLength)])
    }

    /// A value that depends on a select's result: its count and lowest score.
    private static func checksum(_ selection: Selection) -> UInt64 {
        UInt64(selection.count) &+ UInt64(selection.isEmpty ? 0 : selection.score(at: selection.count - 1))
    }

    /// Selects the top 10 of a pseudo-random key `memberCount` times.
    func selectTop10(from set: LWWSet, into selection: inout Selection) throws -> Int {
        var checksum: UInt64 = 0
        try keys.withUnsafeBytes { keys in
            for i in 0 ..< memberCount {
                try set.select(key: key(Int(keyOfSelect[i]), keys), offset: 0, limit: 10, into: &selection)
                checksum &+= Self.checksum(selection)
            }
        }
        ringside_opaque_sink_u64(checksum)
        return memberCount
    }

    /// Runs `body`, which returns its operation count, and measures its rate and allocations
    /// (no warm-up: each case starts from the state the one before left).
    func measure(_ body: () throws -> Int) throws -> (opsPerSecond: Double, allocsPerOp: Double) {
        let measured = try Measurement.run(body)
        return (measured.operationsPerSecond, measured.allocationsPerOperation)
    }

    /// Bytes per entry beyond the member's own, from the resident-set growth of a fresh
    /// peer process that builds the same set (its allocator has no freed memory to reuse).
    func measureMemoryInPeer() throws -> Double {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lww-memory-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        try PeerProcess.spawn(role: "lww-memory", arguments: [String(keyCount), String(memberCount), output]).waitForSuccess()
        guard let text = try? String(contentsOfFile: output, encoding: .utf8), let value = Double(text) else {
            throw LabError("lww-memory peer wrote no result to \(output)")
        }
        return value
    }

    /// The peer: builds the set with members generated on the fly (no input buffers), and
    /// writes (resident growth - member bytes) / entries to the file named last.
    @Sendable static func memoryPeer(_ arguments: [String]) throws {
        guard arguments.count == 3, let keyCount = Int(arguments[0]), let memberCount = Int(arguments[1]) else {
            throw LabError("usage: lww-memory KEYS MEMBERS OUTPUT")
        }
        var random = SplitMix64(seed: 0x1ab5)
        let keys = (0 ..< keyCount).map { key($0) }
        var member = [UInt8](repeating: 0, count: memberLength)
        let before = try residentBytes()
        var set = try LWWSet()
        for i in 0 ..< memberCount {
            member.withUnsafeMutableBytes { writeMember(i, into: $0) }
            try set.insert(key: keys[Int(random.next() % UInt64(keyCount))], score: Double(i), member: member)
        }
        let grown = try residentBytes() - before
        let statistics = set.statistics
        let perEntry = Double(grown - statistics.memberBytes) / Double(statistics.entries)
        try String(perEntry).write(toFile: arguments[2], atomically: true, encoding: .utf8)
    }

    /// This process's resident set size, from /proc/self/statm.
    private static func residentBytes() throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { throw LabError("cannot read /proc/self/statm") }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

