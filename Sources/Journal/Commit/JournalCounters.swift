/// What a journal has written since it was opened (read at any time, from any thread).
public struct JournalCounters: Sendable, Equatable {
    /// Batches written, each made durable by exactly one `fdatasync` of the log: group commit
    /// shows as `records / fsyncs`.
    public var fsyncs: Int
    /// Records made durable.
    public var records: Int
    /// Bytes written to log files (record headers included).
    public var bytes: Int

    /// Counters with the given values.
    public init(fsyncs: Int, records: Int, bytes: Int) {
        self.fsyncs = fsyncs
        self.records = records
        self.bytes = bytes
    }
}
