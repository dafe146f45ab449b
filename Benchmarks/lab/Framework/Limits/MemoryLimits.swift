import CLabLimits

extension Limit {
    /// `limit-memcpy`: memcpy bandwidth of `size`-byte copies between two buffers on CPU 0
    /// (the producers' CPU) for `seconds`, as `memcpy_bw.c` measures it: records
    /// `bytes_per_s`, held against bytes per second.
    static func memcpy(size: Int, seconds: Double) -> Limit {
        Limit(caseName: "limit-memcpy", kind: .throughput) { context in
            let rate = lab_memcpy_bytes_per_second(size, seconds, 0)
            guard rate > 0 else { throw LabError("limit-memcpy: no memory for two \(size)-byte buffers") }
            context.record(case: "limit-memcpy", metric: "bytes_per_s", value: rate, unit: "B/s")
            return rate
        }
    }

    /// The case name of the random-read probe (`lab_chase_*`: one dependent chain of random
    /// 64-byte reads over 64 MiB, and 16 chains in parallel), measured by the lww suite
    /// between its cases, each lww case's `reads_per_op` and `of_limit` taken against it.
    static let randomReadCase = "limit-random-read"
}

extension SuiteContext {
    /// Records a random-read probe's figures as case `limit-random-read`
    /// (`dependent_read_ns`, `parallel_read_ns`).
    mutating func recordRandomReadLimit(dependentNanoseconds: Double, parallelNanoseconds: Double) {
        record(case: Limit.randomReadCase, metric: "dependent_read_ns", value: dependentNanoseconds, unit: "ns")
        record(case: Limit.randomReadCase, metric: "parallel_read_ns", value: parallelNanoseconds, unit: "ns")
    }

    /// Records `of_limit` of a case whose operation took `nanosecondsPerOperation` against
    /// the dependent random read (`limit-random-read`): the read's latency over the op's.
    mutating func recordRandomReadFraction(case caseName: String, nanosecondsPerOperation: Double, readNanoseconds: Double) {
        record(case: caseName, metric: "of_limit", value: readNanoseconds / nanosecondsPerOperation, unit: "of \(Limit.randomReadCase)")
    }
}
