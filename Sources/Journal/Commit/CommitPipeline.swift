import Posix
import Synchronization

/// The two batch buffers, the log file and the durable sequence, shared by the writer and at
/// most one flusher thread.
///
/// Who may touch what is decided by one state word: while it is `idle` the writer owns the
/// log file and both buffers; `sealed` hands the sealed buffer and the log file to whichever
/// thread moves the word to `flushing` (the flusher, or the writer itself in `commit`); that
/// thread writes and syncs the batch, publishes the durable sequence, and moves the word back
/// to `idle`. The writer fills its own buffer meanwhile and touches nothing else.
final class CommitPipeline: @unchecked Sendable {
    // Unchecked: `filling` is touched by the writer only; `sealed` and `log` only by the
    // thread that owns them through `state` (acquire on taking, release on handing back),
    // as described above. Everything else is atomic or behind the mutex.

    /// The values of the state word.
    enum State: UInt32 {
        case idle = 0
        case sealed = 1
        case flushing = 2
        case failed = 3
    }

    /// The writer's batch, out of line: appending through a pointer costs no dynamic
    /// exclusivity check (a class's stored `var` would cost two runtime calls per record).
    let filling: UnsafeMutablePointer<RecordBuffer>
    /// The batch handed to a flusher, out of line likewise.
    let sealed: UnsafeMutablePointer<RecordBuffer>
    /// The log appended to.
    var log: LogFile
    /// The journal's directory (named by errors that concern no one file).
    let directory: String

    /// The state word, out of line so that futexes can sleep on it.
    private let stateWord: UnsafeMutablePointer<Atomic<UInt32>>
    /// Threads sleeping on the state word: a state change wakes them only when there are any.
    private let sleepers = Atomic<Int>(0)
    /// The first failure of a `write` or `fsync`.
    private let failure = Mutex<JournalError?>(nil)

    /// The last sequence whose batch is synced.
    let durable: Atomic<UInt64>
    /// Batches synced (each with one `fsync`).
    let fsyncs = Atomic<Int>(0)
    /// Records synced.
    let syncedRecords = Atomic<Int>(0)
    /// Bytes written to logs.
    let bytesWritten = Atomic<Int>(0)
    /// Record bytes in the current log file.
    let currentLogBytes: Atomic<Int>

    init(directory: String, log: LogFile, durable: UInt64, batchCapacity: Int) {
        self.directory = directory
        self.log = log
        self.durable = Atomic(durable)
        currentLogBytes = Atomic(log.recordBytes)
        filling = .allocate(capacity: 1)
        filling.initialize(to: RecordBuffer(capacity: batchCapacity))
        sealed = .allocate(capacity: 1)
        sealed.initialize(to: RecordBuffer(capacity: batchCapacity))
        stateWord = .allocate(capacity: 1)
        stateWord.initialize(to: Atomic(State.idle.rawValue))
    }

    deinit {
        for buffer in [filling, sealed] {
            buffer.pointee.deallocate()
            buffer.deinitialize(count: 1)
            buffer.deallocate()
        }
        stateWord.deinitialize(count: 1)
        stateWord.deallocate()
        closeLog()
    }

    /// Closes the log file (writer, while idle; the journal accepts nothing afterwards).
    func closeLog() {
        guard log.descriptor >= 0 else { return }
        try? Sys.close(log.descriptor)
        log.descriptor = -1
    }

    /// The current state.
    var state: State { State(rawValue: stateWord.pointee.load(ordering: .acquiring))! }

    /// Throws `.halted` with the first failure once a `write` or `fsync` has failed.
    func throwIfHalted() throws(JournalError) {
        guard state == .failed else { return }
        throw .halted(failure.withLock { $0 } ?? .closed)
    }

    // MARK: Writer side

    /// Hands the writer's batch to the flusher if the flusher has finished the previous one:
    /// true when handed over; false when there was nothing to hand or the flusher is busy (the
    /// batch keeps growing and goes with the next seal).
    func seal() throws(JournalError) -> Bool {
        try throwIfHalted()
        guard !filling.pointee.isEmpty, state == .idle else { return false }
        swap(&filling.pointee, &sealed.pointee)
        try publish(.sealed)
        return true
    }

    /// Makes every appended record durable on the calling thread: waits for a batch in the
    /// flusher's hands (or takes a sealed one itself), then writes and syncs its own batch.
    /// The durable sequence.
    func commit() throws(JournalError) -> UInt64 {
        while true {
            switch state {
            case .failed: try throwIfHalted()
            case .idle:
                if !filling.pointee.isEmpty { try writeOut(&filling.pointee) }
                return durable.load(ordering: .acquiring)
            case .sealed:
                if take() {
                    try writeOut(&sealed.pointee)
                    try publish(.idle)
                }
            case .flushing:
                try sleep(whileState: .flushing, timeout: .milliseconds(50))
            }
        }
    }

    // MARK: Flusher side

    /// Writes and syncs the sealed batch if there is one, first waiting up to `timeout` for
    /// the writer to seal one (nil: no wait): whether a batch was made durable.
    func flush(waitingUpTo timeout: Duration?) throws(JournalError) -> Bool {
        if let timeout, state == .idle { try sleep(whileState: .idle, timeout: timeout) }
        try throwIfHalted()
        guard take() else { return false }
        try writeOut(&sealed.pointee)
        try publish(.idle)
        return true
    }

    // MARK: Both

    /// Moves the state from sealed to flushing: true when this thread now owns the sealed
    /// batch and the log.
    private func take() -> Bool {
        stateWord.pointee.compareExchange(
            expected: State.sealed.rawValue, desired: State.flushing.rawValue, ordering: .acquiringAndReleasing
        ).exchanged
    }

    /// Writes `batch` to the log with one `write` (looping on short writes) and one `fsync`,
    /// publishes its last sequence as durable and empties it. Any failure halts the pipeline.
    private func writeOut(_ batch: inout RecordBuffer) throws(JournalError) {
        do {
            try Sys.writeFully(log.descriptor, batch.bytes)
        } catch {
            throw halt(.systemCall(file: log.path, offset: log.offset, error))
        }
        do {
            try Sys.fsync(log.descriptor)
        } catch {
            throw halt(.systemCall(file: log.path, offset: log.offset, error))
        }
        log.offset += batch.count
        currentLogBytes.store(log.recordBytes, ordering: .relaxed)
        bytesWritten.add(batch.count, ordering: .relaxed)
        syncedRecords.add(batch.records, ordering: .relaxed)
        fsyncs.add(1, ordering: .relaxed)
        durable.store(batch.lastSequence, ordering: .releasing)
        batch.removeAll()
    }

    /// Keeps `error` as the first failure, moves the state to failed for good, and returns it.
    private func halt(_ error: JournalError) -> JournalError {
        failure.withLock { if case .none = $0 { $0 = error } }
        try? publish(.failed)
        return error
    }

    /// Stores `state` and wakes any thread sleeping on the word.
    private func publish(_ state: State) throws(JournalError) {
        stateWord.pointee.store(state.rawValue, ordering: .sequentiallyConsistent)
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        do {
            try Sys.futexWake(UnsafeMutableRawPointer(stateWord))
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
    }

    /// Sleeps while the state is `state`, at most `timeout` (a wake-up may be early: callers
    /// re-check).
    private func sleep(whileState state: State, timeout: Duration) throws(JournalError) {
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        do {
            _ = try Sys.futexWait(UnsafeMutableRawPointer(stateWord), expected: state.rawValue, timeout: timeout)
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
    }
}
