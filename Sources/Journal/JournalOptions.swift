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
    /// The batch buffers' initial capacity (there are three: the writer fills one while
    /// flushers write and sync the other two); each grows by doubling when a batch needs more and keeps its
    /// size afterwards. Default 4 MiB: what a writer appending 2 M records of 50 bytes a
    /// second fills during a slow (40 ms) sync, so a batch rarely grows.
    public var initialBatchCapacity: Int
    /// ``Journal/sealIfDue(urgent:)`` seals a batch no answer waits for once it holds this many
    /// bytes... Default 1 MiB: a sync costs the syncing processor about 100 us however small
    /// the batch (measured on ext4 over virtio: 16 KiB 100 us, 256 KiB 230 us, 1 MiB 350 us of
    /// CPU per `fdatasync`), so a writer sealing every cycle spent a third of a microsecond
    /// per record on syncs alone.
    public var sealBytes: Int
    /// ... or once it has been held back this long. Default 5 ms: how late a fire-and-forget
    /// write at most becomes durable, beyond its sync (an answer that waits is never delayed).
    public var sealDelay: Duration

    /// Options with the defaults above.
    public init(
        maximumRecordLength: Int = 16 << 20,
        compactionRatio: Int = 4,
        minimumCompactionBytes: Int = 64 << 20,
        initialBatchCapacity: Int = 4 << 20,
        sealBytes: Int = 1 << 20,
        sealDelay: Duration = .milliseconds(5)
    ) {
        precondition(maximumRecordLength > 0 && maximumRecordLength < Int(RecordFrame.endMarker),
                     "maximumRecordLength in 1..<0xFFFFFFFF")
        precondition(compactionRatio >= 1 && minimumCompactionBytes >= 0 && initialBatchCapacity >= 64,
                     "compactionRatio >= 1, minimumCompactionBytes >= 0, initialBatchCapacity >= 64")
        precondition(sealBytes >= 0 && sealDelay >= .zero, "sealBytes >= 0, sealDelay >= 0")
        self.maximumRecordLength = maximumRecordLength
        self.compactionRatio = compactionRatio
        self.minimumCompactionBytes = minimumCompactionBytes
        self.initialBatchCapacity = initialBatchCapacity
        self.sealBytes = sealBytes
        self.sealDelay = sealDelay
    }
}
