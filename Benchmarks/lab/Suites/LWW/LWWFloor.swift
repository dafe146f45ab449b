import LWWSet

/// The set's compute floor (cases `lww-floor-*`): the insert and select cases, the same
/// operations on the same kind of data, on a working set small enough to stay in the L2
/// cache (100 keys, 10,000 16-byte members: about 1 MB), so that what they cost is the
/// instructions and not the memory. A labelled extra, never a replacement: the issue's
/// cases are the ones over 10,000 keys and 1,000,000 members.
///
/// Fresh inserts fill a new set `fills` times (each fill timed on its own, the set freed
/// outside the timed region, so its memory is reused warm: no page faults); selects read
/// the last filled set.
enum LWWFloor {
    /// Keys and members of the in-cache working set.
    static let keys = 100
    static let members = 10_000

    /// The cases, each recording `ns_per_op` and `allocs_per_op`.
    static let cases = [
        "lww-floor-insert", "lww-floor-insert-batched", "lww-floor-select-top10", "lww-floor-select-top10-batched",
    ]

    /// Runs the floor cases `context.runs` times (none when `--case` names none of them).
    static func run(_ context: inout SuiteContext) throws {
        guard context.casePattern.map({ pattern in cases.contains(where: pattern.matches) }) ?? true else { return }
        let workload = LWWWorkload(keys: keys, members: members)
        let fills = context.scaled(60, minimum: 6)
        var batches = LWWWorkload.Batches()
        var selection = Selection(reservingEntries: 10, memberBytes: 10 * LWWWorkload.memberLength)
        for _ in context.repetitions("lww floor (in cache)") {
            var set = try LWWSet()
            var single = Totals()
            var batched = Totals()
            // Alternating the two, so that a change of the machine's speed meets both.
            for _ in 0 ..< fills {
                var fresh = try LWWSet()
                single.add(try Measurement.run { try workload.writeAll(.insert, into: &fresh, scoreBase: 0) })
                var freshBatched = try LWWSet()
                batched.add(try Measurement.run {
                    try workload.writeAll(.insert, into: &freshBatched, scoreBase: 0, batches: &batches)
                })
                set = freshBatched
            }
            single.record("lww-floor-insert", &context)
            batched.record("lww-floor-insert-batched", &context)

            var selects = Totals()
            var selectsBatched = Totals()
            for _ in 0 ..< fills {
                selects.add(try Measurement.run { try workload.selectTop10(from: set, into: &selection) })
                selectsBatched.add(try Measurement.run {
                    try workload.selectTop10(from: set, into: &selection, batches: &batches)
                })
            }
            selects.record("lww-floor-select-top10", &context)
            selectsBatched.record("lww-floor-select-top10-batched", &context)
        }
    }

    /// The sums of several measured runs of one case (`LWWNearTop` sums its fills too).
    struct Totals {
        var operations = 0
        var nanoseconds: Int64 = 0
        var mallocs = 0

        mutating func add(_ measurement: Measurement) {
            operations += measurement.operations
            nanoseconds += measurement.nanoseconds
            mallocs += Int(measurement.allocations.mallocs)
        }

        func record(_ caseName: String, _ context: inout SuiteContext) {
            context.record(case: caseName, metric: "ns_per_op", value: Double(nanoseconds) / Double(operations), unit: "ns")
            context.record(case: caseName, metric: "allocs_per_op", value: Double(mallocs) / Double(operations), unit: "allocs")
        }
    }
}
