/// How a journal frames records and when it asks for a snapshot.
public struct JournalOptions: Sendable {
    /// The longest record payload accepted, in bytes (replay rejects a longer length field as
    /// corrupt). Default 16 MiB.
    public var maximumRecordLength: Int
    /// ``Journal/needsSnapshot(liveBytes:)`` is true once the log holds more than this many
    /// times the live state's size. Default 4.
    public var compactionRatio: Int
    /// ... and more than this many bytes (small logs are never compacted). Default 64 MiB.
    public var minimumCompactionBytes: Int
    /// The batch buffer's initial capacity; it grows by doubling when a batch needs more and
    /// keeps its size afterwards. Default 1 MiB.
    public var initialBatchCapacity: Int

    /// Options with the defaults above.
    public init(
        maximumRecordLength: Int = 16 << 20,
        compactionRatio: Int = 4,
        minimumCompactionBytes: Int = 64 << 20,
        initialBatchCapacity: Int = 1 << 20
    ) {
        precondition(maximumRecordLength > 0 && maximumRecordLength < Int(RecordFrame.endMarker),
                     "maximumRecordLength in 1..<0xFFFFFFFF")
        precondition(compactionRatio >= 1 && minimumCompactionBytes >= 0 && initialBatchCapacity >= 64,
                     "compactionRatio >= 1, minimumCompactionBytes >= 0, initialBatchCapacity >= 64")
        self.maximumRecordLength = maximumRecordLength
        self.compactionRatio = compactionRatio
        self.minimumCompactionBytes = minimumCompactionBytes
        self.initialBatchCapacity = initialBatchCapacity
    }
}
