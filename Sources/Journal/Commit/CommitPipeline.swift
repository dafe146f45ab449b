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
    /// The first failure of a `write` or `fdatasync`.
    private let failure = Mutex<JournalError?>(nil)

    /// A batch no commit waits for is sealed once it holds this many bytes...
    let sealBytes: Int
    /// ... or once it has been held back this long (nanoseconds).
    let sealDelay: Int64
    /// When the writer first held back its current batch (monotonic nanoseconds; 0: no batch
    /// held back), for the flusher to ring the writer when the batch is due.
    private let heldSince = Atomic<Int64>(0)
    /// The `heldSince` the flusher last reported overdue (so it reports each held batch once).
    private let overdueReported = Atomic<Int64>(0)

    /// The last sequence whose batch is synced.
    let durable: Atomic<UInt64>
    /// Batches synced (each with one `fdatasync`).
    let fsyncs = Atomic<Int>(0)
    /// Records synced.
    let syncedRecords = Atomic<Int>(0)
    /// Bytes written to logs.
    let bytesWritten = Atomic<Int>(0)
    /// Record bytes in the current log file.
    let currentLogBytes: Atomic<Int>

    init(directory: String, log: LogFile, durable: UInt64, options: JournalOptions) {
        self.directory = directory
        sealBytes = options.sealBytes
        sealDelay = Int64(options.sealDelay / .nanoseconds(1))
        self.log = log
        self.durable = Atomic(durable)
        currentLogBytes = Atomic(log.recordBytes)
        filling = .allocate(capacity: 1)
        filling.initialize(to: RecordBuffer(capacity: options.initialBatchCapacity))
        sealed = .allocate(capacity: 1)
        sealed.initialize(to: RecordBuffer(capacity: options.initialBatchCapacity))
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

    /// Throws `.halted` with the first failure once a `write` or `fdatasync` has failed.
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
        heldSince.store(0, ordering: .relaxed)
        try publish(.sealed)
        return true
    }

    /// ``seal()`` when `urgent` (an answer waits for the batch), when the batch holds
    /// `sealBytes`, or when it has been held back `sealDelay`; otherwise holds it back, and
    /// the first time tells a sleeping flusher when it falls due.
    func sealIfDue(urgent: Bool) throws(JournalError) -> Bool {
        guard !filling.pointee.isEmpty else { return false }
        if !urgent && filling.pointee.count < sealBytes {
            let now = Sys.monotonicNanoseconds()
            let since = heldSince.load(ordering: .relaxed)
            if since == 0 {
                heldSince.store(now, ordering: .sequentiallyConsistent)
                try wakeSleepers()
                return false
            }
            if now - since < sealDelay { return false }
        }
        return try seal()
    }

    /// Makes every appended record durable on the calling thread: waits for a batch in the
    /// flusher's hands (or takes a sealed one itself), then writes and syncs its own batch.
    /// The durable sequence.
    func commit() throws(JournalError) -> UInt64 {
        while true {
            switch state {
            case .failed: try throwIfHalted()
            case .idle:
                if !filling.pointee.isEmpty {
                    try writeOut(&filling.pointee)
                    heldSince.store(0, ordering: .relaxed)
                }
                return durable.load(ordering: .acquiring)
            case .sealed:
                if take() {
                    try writeOut(&sealed.pointee)
                    try publish(.idle)
                }
            case .flushing:
                try sleep(whileState: .flushing) { 50_000_000 }
            }
        }
    }

    // MARK: Flusher side

    /// Writes and syncs the sealed batch if there is one, first waiting up to `timeout` for
    /// the writer to seal one (nil: no wait): whether a batch was made durable.
    func flush(waitingUpTo timeout: Duration?) throws(JournalError) -> JournalFlusher.Outcome {
        if let timeout {
            let end = Sys.monotonicNanoseconds() + Int64(timeout / .nanoseconds(1))
            while state == .idle {
                let remaining = end - Sys.monotonicNanoseconds()
                guard remaining > 0, untilHeldBatchIsDue() != 0 else { break }
                try sleep(whileState: .idle) { min(remaining, untilHeldBatchIsDue() ?? remaining) }
            }
        }
        try throwIfHalted()
        if take() {
            try writeOut(&sealed.pointee)
            try publish(.idle)
            return .flushed
        }
        let since = heldSince.load(ordering: .acquiring)
        if since != 0, Sys.monotonicNanoseconds() - since >= sealDelay,
           overdueReported.exchange(since, ordering: .relaxed) != since {
            return .sealOverdue
        }
        return .nothingSealed
    }

    /// Nanoseconds until the batch the writer holds back falls due (zero when it is overdue);
    /// nil when none is held back or its being overdue was already reported.
    private func untilHeldBatchIsDue() -> Int64? {
        let since = heldSince.load(ordering: .acquiring)
        guard since != 0, overdueReported.load(ordering: .relaxed) != since else { return nil }
        return max(0, since + sealDelay - Sys.monotonicNanoseconds())
    }

    // MARK: Both

    /// Moves the state from sealed to flushing: true when this thread now owns the sealed
    /// batch and the log.
    private func take() -> Bool {
        stateWord.pointee.compareExchange(
            expected: State.sealed.rawValue, desired: State.flushing.rawValue, ordering: .acquiringAndReleasing
        ).exchanged
    }

    /// Writes `batch` to the log with one `write` (looping on short writes) and one `fdatasync`,
    /// publishes its last sequence as durable and empties it. Any failure halts the pipeline.
    private func writeOut(_ batch: inout RecordBuffer) throws(JournalError) {
        do {
            try Sys.writeFully(log.descriptor, batch.bytes)
        } catch {
            throw halt(.systemCall(file: log.path, offset: log.offset, error))
        }
        do {
            // The file's size is the only metadata replay needs, and fdatasync syncs it.
            try Sys.fdatasync(log.descriptor)
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
        try wakeSleepers()
    }

    /// Wakes any thread sleeping on the state word (it re-checks what it waits for).
    private func wakeSleepers() throws(JournalError) {
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        do {
            try Sys.futexWake(UnsafeMutableRawPointer(stateWord))
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
    }

    /// Sleeps while the state is `state`, at most the `timeout` computed once this thread
    /// counts as a sleeper (so a writer that holds a batch back after that wakes it to
    /// compute again); a wake-up may be early: callers re-check.
    private func sleep(whileState state: State, nanoseconds timeout: () -> Int64) throws(JournalError) {
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        let nanoseconds = timeout()
        guard nanoseconds > 0 else { return }
        let timeout = Duration.nanoseconds(nanoseconds)
        do {
            _ = try Sys.futexWait(UnsafeMutableRawPointer(stateWord), expected: state.rawValue, timeout: timeout)
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
    }
}
