import CRingside
import LWWSet
import SeededRandom

/// Inserts that land just below a set's top (cases `lww-insert-near-top*`), as two
/// producers of interleaved scores or events arriving slightly out of order write them: a
/// fixed workload, so that the cost of finding a place near the top is measured without the
/// timeline suite's noise (there the share of such writes follows how far one producer
/// runs ahead of the other).
///
/// 2,000 keys, 512,000 fresh 16-byte members written into a fresh set (256 per key on
/// average, at every scale: `--quick` writes a tenth of the members under a tenth of the keys).
/// Every second write of a key lands 1, 2, 3 or 4 places below its top (in turn), the
/// others above it. `lww-insert-above-top-batched` writes the same members under the same
/// keys with increasing scores: the control, so that the ratio of the two is the price of
/// the writes below the top, in the same run. The three cases alternate, on fresh sets.
enum LWWNearTop {
    /// The cases, each recording `ns_per_op` and `allocs_per_op`; the near-top ones also
    /// `below_top_share`, the share of their writes that land below the top.
    static let cases = ["lww-insert-near-top", "lww-insert-near-top-batched", "lww-insert-above-top-batched"]

    /// Runs the cases `context.runs` times (none when `--case` names none of them).
    static func run(_ context: inout SuiteContext) throws {
        guard context.casePattern.map({ pattern in cases.contains(where: pattern.matches) }) ?? true else { return }
        let workload = Workload(keys: context.scaled(2_000, minimum: 100), writes: context.scaled(512_000, minimum: 25_600))
        let fills = context.scaled(3, minimum: 1)
        var batch = [BorrowedWrite](
            repeating: BorrowedWrite(.insert, key: UnsafeRawBufferPointer(start: nil, count: 0), score: 0,
                                     member: UnsafeRawBufferPointer(start: nil, count: 0)),
            count: LWWWorkload.Batches.size)
        for _ in context.repetitions("lww near top", detail: "\(workload.writeCount) writes, \(fills) fills") {
            var single = LWWFloor.Totals()
            var batched = LWWFloor.Totals()
            var control = LWWFloor.Totals()
            for _ in 0 ..< fills {
                // Only the cases `--case` names run (one alone, for an instruction count).
                var nearTop = try LWWSet()
                if context.selects(cases[1]) {
                    batched.add(try Measurement.run { try workload.write(workload.nearTopScores, into: &nearTop, batch: &batch) })
                }
                if context.selects(cases[2]) {
                    var aboveTop = try LWWSet()
                    control.add(try Measurement.run { try workload.write(workload.aboveTopScores, into: &aboveTop, batch: &batch) })
                }
                if context.selects(cases[0]) {
                    var nearTopSingle = try LWWSet()
                    single.add(try Measurement.run { try workload.write(workload.nearTopScores, into: &nearTopSingle) })
                    precondition(!context.selects(cases[1]) || nearTop == nearTopSingle,
                                 "lww near top: the batched writes left another set than the single ones")
                }
            }
            single.record("lww-insert-near-top", &context)
            batched.record("lww-insert-near-top-batched", &context)
            control.record("lww-insert-above-top-batched", &context)
            for caseName in cases.prefix(2) {
                context.record(case: caseName, metric: "below_top_share", value: workload.belowTopShare, unit: "ratio")
            }
        }
    }

    /// The writes: member i (`LWWWorkload.writeMember`) under a pseudo-random key, at one of
    /// two scores.
    struct Workload {
        static let keyLength = 14
        let writeCount: Int
        private let members: [UInt8]
        private let keys: [UInt8]
        private let keyOfWrite: [Int32]
        /// Write i's score in the near-top cases.
        let nearTopScores: [Double]
        /// Write i's score in the control: i, always above its key's top.
        let aboveTopScores: [Double]
        /// The share of the near-top writes that land below their key's top.
        let belowTopShare: Double

        init(keys keyCount: Int, writes writeCount: Int) {
            self.writeCount = writeCount
            var members = [UInt8](repeating: 0, count: writeCount * LWWWorkload.memberLength)
            members.withUnsafeMutableBytes { bytes in
                for i in 0 ..< writeCount {
                    LWWWorkload.writeMember(i, into: UnsafeMutableRawBufferPointer(rebasing: bytes[(i * LWWWorkload.memberLength)...]))
                }
            }
            self.members = members
            keys = (0 ..< keyCount).flatMap { LWWWorkload.key($0) }
            var random = SplitMix64(seed: 0x7e4a)
            keyOfWrite = (0 ..< writeCount).map { _ in Int32(random.next() % UInt64(keyCount)) }
            aboveTopScores = (0 ..< writeCount).map(Double.init)
            // Each key's five highest scores, highest first: enough to place a write up to
            // four places below the top, strictly between two entries.
            var highest = [[Double]](repeating: [], count: keyCount)
            var writesOfKey = [Int](repeating: 0, count: keyCount)
            var below = 0
            var scores = [Double](repeating: 0, count: writeCount)
            for i in 0 ..< writeCount {
                let key = Int(keyOfWrite[i])
                let top = highest[key]
                let depth = min(1 + (writesOfKey[key] / 2) % 4, top.count)
                let score: Double
                if writesOfKey[key] % 2 == 1 && depth > 0 {
                    // Between the entries `depth - 1` and `depth` places below the top.
                    score = depth < top.count ? (top[depth - 1] + top[depth]) / 2 : top[depth - 1] - 0.5
                    below += 1
                } else {
                    score = Double(i)
                }
                scores[i] = score
                highest[key].append(score)
                highest[key].sort(by: >)
                if highest[key].count > 5 { highest[key].removeLast() }
                writesOfKey[key] += 1
            }
            nearTopScores = scores
            belowTopShare = Double(below) / Double(writeCount)
        }

        /// Inserts every member under its key at `scores[i]`, one call each.
        func write(_ scores: [Double], into set: inout LWWSet) throws -> Int {
            var applied: UInt64 = 0
            try members.withUnsafeBytes { members in
                try keys.withUnsafeBytes { keys in
                    for i in 0 ..< writeCount {
                        if try set.write(.insert, key: key(i, keys), score: scores[i], member: member(i, members)).isApplied {
                            applied += 1
                        }
                    }
                }
            }
            ringside_opaque_sink_u64(applied)
            return writeCount
        }

        /// Inserts every member under its key at `scores[i]`, `batch.count` per call.
        func write(_ scores: [Double], into set: inout LWWSet, batch: inout [BorrowedWrite]) throws -> Int {
            try members.withUnsafeBytes { members in
                try keys.withUnsafeBytes { keys in
                    try batch.withUnsafeMutableBufferPointer { batch in
                        try set.writeInBatches(writeCount, through: batch) { i in
                            BorrowedWrite(.insert, key: key(i, keys), score: scores[i], member: member(i, members))
                        }
                    }
                }
            }
            return writeCount
        }

        /// Write i's key's bytes in `keys`.
        private func key(_ i: Int, _ keys: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            let k = Int(keyOfWrite[i])
            return UnsafeRawBufferPointer(rebasing: keys[(k * Self.keyLength) ..< ((k + 1) * Self.keyLength)])
        }

        /// Member i's bytes in `members`.
        private func member(_ i: Int, _ members: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: members[(i * LWWWorkload.memberLength) ..< ((i + 1) * LWWWorkload.memberLength)])
        }
    }
}
