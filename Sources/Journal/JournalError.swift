import Posix

/// Why a journal call failed: every case names the file (a path), and the offset where one
/// applies.
public enum JournalError: Error, CustomStringConvertible {
    /// Another journal holds the directory's lock: the directory and, when the lock file
    /// names it, the holder's pid.
    case locked(directory: String, holder: Int32?)
    /// A system call on `file` failed (at `offset` in it, where one applies).
    case systemCall(file: String, offset: Int?, SystemCallError)
    /// A log or snapshot file's header is not valid.
    case badHeader(file: String, HeaderFault)
    /// A record that is not the torn tail of the last log is invalid: valid records follow it
    /// (or, in a snapshot or an earlier log, anything does).
    case corruptRecord(file: String, offset: Int, RecordFault)
    /// A record with a valid checksum does not carry the next sequence number.
    case sequenceMismatch(file: String, offset: Int, expected: UInt64, found: UInt64)
    /// A log does not start where the snapshot or the log before it ended: records are missing.
    case missingRecords(file: String, expectedBase: UInt64, foundBase: UInt64)
    /// A snapshot lacks its end frame, has bytes after it, or counts its records wrongly.
    case badSnapshotEnd(file: String, offset: Int, reason: String)
    /// A replay handler threw while the record at `offset` of `file` was handed over.
    case replayRejected(file: String, offset: Int, any Error)
    /// A snapshot producer threw while writing `file`.
    case producerFailed(file: String, any Error)
    /// An appended record is longer than the journal's `maximumRecordLength`.
    case recordTooLong(length: Int, limit: Int)
    /// A snapshot is already being written: one at a time.
    case snapshotInProgress
    /// An earlier `write` or `fdatasync` failed: the journal accepts nothing more (records after
    /// the last durable sequence may or may not be on disk). The first failure.
    indirect case halted(JournalError)
    /// The journal was closed.
    case closed

    /// One line naming the file, the offset and the cause.
    public var description: String {
        switch self {
        case .locked(let directory, let holder):
            "journal \(directory) is locked by another process" + (holder.map { " (pid \($0))" } ?? "")
        case .systemCall(let file, let offset, let error):
            "\(file)\(offset.map { " at offset \($0)" } ?? ""): \(error)"
        case .badHeader(let file, let fault): "\(file): bad header: \(fault)"
        case .corruptRecord(let file, let offset, let fault):
            "\(file): corrupt record at offset \(offset) (valid data follows it): \(fault)"
        case .sequenceMismatch(let file, let offset, let expected, let found):
            "\(file): record at offset \(offset) has sequence \(found), expected \(expected)"
        case .missingRecords(let file, let expectedBase, let foundBase):
            "\(file): log starts at sequence \(foundBase), expected \(expectedBase): records are missing"
        case .badSnapshotEnd(let file, let offset, let reason): "\(file): snapshot end at offset \(offset): \(reason)"
        case .replayRejected(let file, let offset, let error):
            "\(file): replay handler refused the record at offset \(offset): \(error)"
        case .producerFailed(let file, let error): "\(file): snapshot producer failed: \(error)"
        case .recordTooLong(let length, let limit): "record of \(length) bytes over the limit of \(limit)"
        case .snapshotInProgress: "a snapshot is already being written"
        case .halted(let cause): "journal halted after an earlier failure: \(cause)"
        case .closed: "journal is closed"
        }
    }
}
