/// Records an lww case's measurement under its stable metrics: `ops_per_s`,
/// `allocs_per_op`, and `reads_per_op` (nanoseconds per operation over the dependent
/// random-read latency measured in the same run).
struct LWWRecorder {
    /// The dependent random read's latency the ratios are taken against.
    var readNanoseconds: Double

    /// Records `measured` (from `LWWWorkload.measure`) for `caseName`.
    func record(_ caseName: String, _ measured: (opsPerSecond: Double, allocsPerOp: Double), _ context: inout SuiteContext) {
        context.record(case: caseName, metric: "ops_per_s", value: measured.opsPerSecond, unit: "ops/s")
        context.record(case: caseName, metric: "allocs_per_op", value: measured.allocsPerOp, unit: "allocs")
        context.record(case: caseName, metric: "reads_per_op", value: 1e9 / measured.opsPerSecond / readNanoseconds, unit: "reads")
        context.recordRandomReadFraction(case: caseName, nanosecondsPerOperation: 1e9 / measured.opsPerSecond, readNanoseconds: readNanoseconds)
    }
}
