import Posix

/// The write-ahead log of a single writer: checksummed records appended in batches, each batch
/// made durable by one `fdatasync` (group commit), replayed at open after the latest snapshot,
/// and compacted by snapshots (see <doc:LogFormat>).
///
/// Records and snapshot records are opaque bytes. One thread, the writer, calls every method
/// here; one or two more threads may make sealed batches durable through ``flusher``, and another may
/// write a snapshot through the ``SnapshotPlan`` the writer began.
///
/// ```swift
/// let journal = try Journal.open(directory: "/var/lib/ringside",
///                                snapshot: { bytes in try state.restore(bytes) },
///                                record: { sequence, bytes in try state.apply(bytes) })
/// let sequence = try journal.append(encodedWrite)
/// let durable = try journal.commit()          // one fdatasync for every record appended so far
/// ```
public final class Journal {
    /// The directory holding the journal's files.
    public let directory: String
    /// The options it was opened with.
    public let options: JournalOptions
    /// What opening replayed, and the torn tail it cut off, if any.
    public let replay: ReplayReport

    let pipeline: CommitPipeline
    let snapshots: SnapshotCoordinator
    /// The writer's next sequence and whether the journal is open, out of line: read and
    /// bumped per record without the dynamic exclusivity check a class's `var` costs.
    private let cursor: UnsafeMutablePointer<WriterCursor>
    private var lockDescriptor: Int32?

    init(directory: String, options: JournalOptions, replay: ReplayReport, log: LogFile, retiredLogBytes: Int, lockDescriptor: Int32) {
        self.directory = directory
        self.options = options
        self.replay = replay
        self.lockDescriptor = lockDescriptor
        cursor = .allocate(capacity: 1)
        cursor.initialize(to: WriterCursor(nextSequence: replay.lastSequence + 1, isOpen: true))
        pipeline = CommitPipeline(directory: directory, log: log, durable: replay.lastSequence, options: options)
        snapshots = SnapshotCoordinator(retiredLogBytes: retiredLogBytes)
    }

    /// Without ``close()``, records not yet committed are lost, as in a crash; the files and
    /// the lock are released.
    deinit {
        if let lockDescriptor { try? Sys.close(lockDescriptor) }
        cursor.deinitialize(count: 1)
        cursor.deallocate()
    }

    /// The sequence number of the last record appended (0 before the first).
    public var appendedSequence: UInt64 { cursor.pointee.nextSequence - 1 }

    /// The sequence number of the last record whose batch is synced: every record up to it
    /// survives a crash.
    public var durableSequence: UInt64 { pipeline.durable.load(ordering: .acquiring) }

    /// Syncs, records and bytes written since open.
    public var counters: JournalCounters {
        JournalCounters(
            fsyncs: pipeline.fsyncs.load(ordering: .relaxed),
            records: pipeline.syncedRecords.load(ordering: .relaxed),
            bytes: pipeline.bytesWritten.load(ordering: .relaxed)
        )
    }

    /// The handle for a flusher thread (see ``seal()``).
    public var flusher: JournalFlusher { JournalFlusher(pipeline: pipeline) }

    /// Appends a record holding a copy of `payload` to the current batch: its sequence number.
    /// Nothing is written until ``commit()`` or ``seal()``.
    @discardableResult
    public func append(_ payload: UnsafeRawBufferPointer) throws(JournalError) -> UInt64 {
        try append(length: payload.count) { $0.copyMemory(from: payload) }
    }

    /// Appends a record of `length` bytes that `fill` writes in place into the batch buffer:
    /// its sequence number.
    @discardableResult
    public func append(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws(JournalError) -> UInt64 {
        try checkOpen()
        try pipeline.throwIfHalted()
        guard length >= 0, length <= options.maximumRecordLength else {
            throw .recordTooLong(length: length, limit: options.maximumRecordLength)
        }
        let sequence = cursor.pointee.nextSequence
        pipeline.filling.pointee.append(sequence: sequence, length: length, fill)
        cursor.pointee.nextSequence = sequence + 1
        return sequence
    }

    /// Writes every appended record not yet written and syncs it with one `fdatasync`, on this
    /// thread (after any batch a flusher holds): the durable sequence, which is then
    /// ``appendedSequence``. A failed `write` or `fdatasync` halts the journal.
    @discardableResult
    public func commit() throws(JournalError) -> UInt64 {
        try checkOpen()
        return try pipeline.commit()
    }

    /// Hands the current batch to the ``flusher`` without waiting, if no earlier batch is still
    /// being written or synced: true when handed over. Otherwise the batch keeps growing and goes with
    /// a later seal, so the flusher's syncs each cover everything appended meanwhile.
    /// ``durableSequence`` tells the writer what it may acknowledge.
    public func seal() throws(JournalError) -> Bool {
        try checkOpen()
        return try pipeline.seal(overlapping: false)
    }

    /// ``seal()`` when the batch is due: when it holds ``JournalOptions/sealBytes``, or when it
    /// was first held back here ``JournalOptions/sealDelay`` ago (the clock is read on one
    /// call in 32, so due means that long and up to 32 calls more); otherwise it is held back
    /// and keeps growing, so a writer no one waits for pays one sync per large batch instead
    /// of one per cycle. When `urgent` (an answer waits for the batch) it is sealed at once,
    /// even while an earlier batch's sync is in flight: with two flusher threads the second
    /// writes and syncs it meanwhile, so the answer waits for one sync, not two. Called every
    /// cycle. While a batch is held back, the flusher's
    /// ``JournalFlusher/flush(waitingUpTo:)`` says ``JournalFlusher/Outcome/sealOverdue``
    /// once it falls due, for a writer that went to sleep: wake it, and it seals.
    public func sealIfDue(urgent: Bool) throws(JournalError) -> Bool {
        try checkOpen()
        try pipeline.throwIfHalted()
        return try pipeline.sealIfDue(urgent: urgent)
    }

    /// Commits what was appended, then closes the log and releases the directory's lock, even
    /// when the commit fails (its error is thrown). Stop any flusher, and wait for any snapshot
    /// being written, first.
    public func close() throws(JournalError) {
        try checkOpen()
        defer {
            pipeline.closeLog()
            if let lockDescriptor { try? Sys.close(lockDescriptor) }
            lockDescriptor = nil
            cursor.pointee.isOpen = false
        }
        _ = try pipeline.commit()
    }

    private func checkOpen() throws(JournalError) {
        guard cursor.pointee.isOpen else { throw .closed }
    }
}

/// The writer's side of a ``Journal`` that changes per record.
struct WriterCursor {
    /// The sequence the next appended record gets.
    var nextSequence: UInt64
    /// False once the journal is closed.
    var isOpen: Bool
}
