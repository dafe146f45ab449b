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
    /// The batch buffers' initial capacity (there are two: the writer fills one while the
    /// flusher writes the other); each grows by doubling when a batch needs more and keeps its
    /// size afterwards. Default 4 MiB: what a writer appending 2 M records of 50 bytes a
    /// second fills during a slow (40 ms) `fsync`, so a batch rarely grows.
    public var initialBatchCapacity: Int

    /// Options with the defaults above.
    public init(
        maximumRecordLength: Int = 16 << 20,
        compactionRatio: Int = 4,
        minimumCompactionBytes: Int = 64 << 20,
        initialBatchCapacity: Int = 4 << 20
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
