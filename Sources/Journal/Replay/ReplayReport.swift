/// What ``Journal/open(directory:options:snapshot:record:)`` found and replayed.
public struct ReplayReport: Sendable, Equatable {
    /// The snapshot replayed first: its generation and the last sequence it covers; nil when
    /// the directory had none.
    public var snapshot: (generation: UInt64, sequence: UInt64)? {
        snapshotGeneration.map { ($0, snapshotSequence) }
    }
    /// Records handed to the snapshot handler.
    public internal(set) var snapshotRecords = 0
    /// Log records handed to the record handler.
    public internal(set) var logRecords = 0
    /// The last sequence replayed (from the snapshot or the logs); 0 for an empty journal.
    public internal(set) var lastSequence: UInt64 = 0
    /// Torn tails found and truncated (at most one: only the last log may end torn).
    public internal(set) var tornTails: [TornTail] = []
    /// Files deleted because a crash left them (unfinished `*.tmp`, generations a durable
    /// snapshot replaced).
    public internal(set) var staleFilesRemoved: [String] = []

    var snapshotGeneration: UInt64?
    var snapshotSequence: UInt64 = 0
}

/// A torn or corrupt tail record found at open: never applied, cut off the file.
public struct TornTail: Sendable, Equatable, CustomStringConvertible {
    /// The log file (a path).
    public var file: String
    /// Where the invalid record started: the file's length after truncation.
    public var offset: Int
    /// The bytes cut off.
    public var droppedBytes: Int
    /// What was wrong with the record at `offset`.
    public var fault: RecordFault

    /// `log-…wal: torn tail at offset 1234 (56 bytes dropped): checksum …`.
    public var description: String {
        "\(file): torn tail at offset \(offset) (\(droppedBytes) bytes dropped): \(fault)"
    }
}
