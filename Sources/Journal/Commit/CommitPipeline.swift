import Posix
import Synchronization

/// The writer's batch buffer, two sealed batches, the log file and the durable sequence,
/// shared by the writer and the flusher threads (up to two).
///
/// The writer fills `filling` and seals it by swapping it with the empty buffer of a free
/// slot, numbering the batch. A flusher (or the writer itself in `commit`) claims the
/// lowest-numbered sealed batch and writes it to the log, both under the book's lock, so
/// batches reach the file in order; it syncs it with `fdatasync` outside the lock, so a
/// second flusher can write and sync the next batch while the first sync is in flight.
/// Back under the lock, a batch is acknowledged (its last sequence published as durable,
/// its slot freed) only once it and every earlier batch are synced.
final class CommitPipeline: @unchecked Sendable {
    // Unchecked: `filling` is touched by the writer only. A slot's buffer and batch number
    // belong to the writer while the slot is free, and to the threads holding the book's
    // lock once the writer has stored `sealed` (release; they load it with acquire). `log`
    // is used under the book's lock by the thread that claimed a batch, and by the writer
    // only while no batch is sealed or in flight (after `commit`). Everything else is atomic
    // or behind a mutex.

    /// The values of a slot's state word.
    enum SlotState: UInt32 {
        /// Empty, the writer's to seal into.
        case free = 0
        /// Holds a sealed batch no flusher has claimed yet.
        case sealed = 1
        /// Written to the log; its sync is in flight.
        case syncing = 2
        /// Synced, waiting for an earlier batch's sync before it is acknowledged.
        case synced = 3
    }

    /// What the flushers share under the lock: batches written and acknowledged, by number.
    private struct Book {
        /// The number of the last batch written to the log.
        var written: UInt64 = 0
        /// The number of the last batch acknowledged (it and every earlier one synced).
        var acknowledged: UInt64 = 0
    }

    /// The number of slots: one batch syncing while the next one is written and synced.
    static let slotCount = 2

    /// The writer's batch, out of line: appending through a pointer costs no dynamic
    /// exclusivity check (a class's stored `var` would cost two runtime calls per record).
    let filling: UnsafeMutablePointer<RecordBuffer>
    /// The sealed batches' buffers, out of line likewise.
    private let slots: UnsafeMutablePointer<RecordBuffer>
    /// Each slot's batch number (set by the writer when it seals).
    private let slotBatches: UnsafeMutablePointer<UInt64>
    /// Each slot's state.
    private let slotStates: UnsafeMutablePointer<Atomic<UInt32>>
    /// The number the writer's next sealed batch gets.
    private var nextBatch: UInt64 = 1
    /// Calls of `sealIfDue` that held a batch back without reading the clock.
    private var uncheckedHolds = 0
    /// `sealIfDue` reads the clock on one call in this many (a read costs tens of
    /// nanoseconds, on every poll round of a server under load).
    static let holdsPerClockRead = 32
    /// The log appended to.
    var log: LogFile
    /// The journal's directory (named by errors that concern no one file).
    let directory: String

    private let book = Mutex(Book())
    /// Bumped on every seal, acknowledgement, held batch and failure: threads sleep on it
    /// with the value they saw before checking what they wait for, so no change is missed.
    private let changes: UnsafeMutablePointer<Atomic<UInt32>>
    /// Threads sleeping on `changes`: a change wakes them only when there are any.
    private let sleepers = Atomic<Int>(0)
    /// Set for good by the first failure of a `write` or `fdatasync`.
    private let failed = Atomic<Bool>(false)
    /// That failure.
    private let failure = Mutex<JournalError?>(nil)

    /// A batch no commit waits for is sealed once it holds this many bytes...
    let sealBytes: Int
    /// ... or once it has been held back this long (nanoseconds).
    let sealDelay: Int64
    /// When the writer first held back its current batch (monotonic nanoseconds; 0: no batch
    /// held back), for a flusher to ring the writer when the batch is due.
    private let heldSince = Atomic<Int64>(0)
    /// The `heldSince` a flusher last reported overdue (so each held batch is reported once).
    private let overdueReported = Atomic<Int64>(0)

    /// The last sequence whose batch, and every earlier one, is synced.
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
        slots = .allocate(capacity: Self.slotCount)
        slotBatches = .allocate(capacity: Self.slotCount)
        slotStates = .allocate(capacity: Self.slotCount)
        for index in 0 ..< Self.slotCount {
            (slots + index).initialize(to: RecordBuffer(capacity: options.initialBatchCapacity))
            (slotBatches + index).initialize(to: 0)
            (slotStates + index).initialize(to: Atomic(SlotState.free.rawValue))
        }
        changes = .allocate(capacity: 1)
        changes.initialize(to: Atomic(0))
    }

    deinit {
        filling.pointee.deallocate()
        filling.deinitialize(count: 1)
        filling.deallocate()
        for index in 0 ..< Self.slotCount { slots[index].deallocate() }
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
        slotBatches.deallocate()
        slotStates.deinitialize(count: Self.slotCount)
        slotStates.deallocate()
        changes.deinitialize(count: 1)
        changes.deallocate()
        closeLog()
    }

    /// Closes the log file (writer, while idle; the journal accepts nothing afterwards).
    func closeLog() {
        guard log.descriptor >= 0 else { return }
        try? Sys.close(log.descriptor)
        log.descriptor = -1
    }

    /// Throws `.halted` with the first failure once a `write` or `fdatasync` has failed.
    func throwIfHalted() throws(JournalError) {
        guard failed.load(ordering: .acquiring) else { return }
        throw .halted(failure.withLock { $0 } ?? .closed)
    }

    /// The state of `slot` (acquire: a sealed slot's batch is visible once this reads sealed).
    private func state(_ slot: Int) -> SlotState {
        SlotState(rawValue: slotStates[slot].load(ordering: .acquiring))!
    }

    /// Slots holding a batch (sealed, syncing or synced).
    private var slotsInUse: Int {
        var count = 0
        for slot in 0 ..< Self.slotCount where state(slot) != .free { count += 1 }
        return count
    }

    /// Stores the state of `slot` (release: what was done to its batch before is visible).
    private func setState(_ slot: Int, _ state: SlotState) {
        slotStates[slot].store(state.rawValue, ordering: .releasing)
    }

    // MARK: Writer side

    /// Hands the writer's batch to the flushers: when no batch is in flight, or, with
    /// `overlapping`, when at most one is (its sync may still be running). True when handed
    /// over; false when there was nothing to hand or no slot is free (the batch keeps growing
    /// and goes with a later seal).
    func seal(overlapping: Bool) throws(JournalError) -> Bool {
        try throwIfHalted()
        guard !filling.pointee.isEmpty else { return false }
        let busy = slotsInUse
        guard busy == 0 || (overlapping && busy < Self.slotCount) else { return false }
        var free = 0
        while state(free) != .free { free += 1 }
        swap(&filling.pointee, &slots[free])
        slotBatches[free] = nextBatch
        nextBatch += 1
        heldSince.store(0, ordering: .relaxed)
        setState(free, .sealed)
        try signal()
        return true
    }

    /// Seals when `urgent` (an answer waits for the batch: overlapping a sync in flight),
    /// when the batch holds `sealBytes`, or when it has been held back `sealDelay` (checked
    /// on every `holdsPerClockRead`-th call); otherwise holds it back, and the first time
    /// tells a sleeping flusher when it falls due.
    func sealIfDue(urgent: Bool) throws(JournalError) -> Bool {
        guard !filling.pointee.isEmpty else { return false }
        if urgent { return try seal(overlapping: true) }
        if filling.pointee.count < sealBytes {
            let since = heldSince.load(ordering: .relaxed)
            if since == 0 {
                heldSince.store(Sys.monotonicNanoseconds(), ordering: .sequentiallyConsistent)
                uncheckedHolds = 0
                try signal()
                return false
            }
            uncheckedHolds += 1
            guard uncheckedHolds >= Self.holdsPerClockRead else { return false }
            uncheckedHolds = 0
            if Sys.monotonicNanoseconds() - since < sealDelay { return false }
        }
        return try seal(overlapping: false)
    }

    /// Makes every appended record durable on the calling thread: seals what it holds,
    /// flushes sealed batches itself, and waits for the syncs flushers have in flight. The
    /// durable sequence.
    func commit() throws(JournalError) -> UInt64 {
        while true {
            let observed = changes.pointee.load(ordering: .acquiring)
            try throwIfHalted()
            if !filling.pointee.isEmpty, try seal(overlapping: true) { continue }
            if try flushNext() { continue }
            if filling.pointee.isEmpty && slotsInUse == 0 { return durable.load(ordering: .acquiring) }
            try wait(observed) { 50_000_000 }
        }
    }

    // MARK: Flusher side

    /// Writes and syncs the next sealed batch if there is one, first waiting up to `timeout`
    /// for the writer to seal one (nil: no wait), and no longer than until a batch the writer
    /// holds back falls due.
    func flush(waitingUpTo timeout: Duration?) throws(JournalError) -> JournalFlusher.Outcome {
        let end = timeout.map { Sys.monotonicNanoseconds() + Int64($0 / .nanoseconds(1)) }
        while true {
            let observed = changes.pointee.load(ordering: .acquiring)
            try throwIfHalted()
            if try flushNext() { return .flushed }
            let since = heldSince.load(ordering: .acquiring)
            if since != 0, Sys.monotonicNanoseconds() - since >= sealDelay,
               overdueReported.exchange(since, ordering: .relaxed) != since {
                return .sealOverdue
            }
            guard let end else { return .nothingSealed }
            let remaining = end - Sys.monotonicNanoseconds()
            guard remaining > 0 else { return .nothingSealed }
            try wait(observed) { min(remaining, untilHeldBatchIsDue() ?? remaining) }
        }
    }

    /// Nanoseconds until the batch the writer holds back falls due (zero when it is overdue);
    /// nil when none is held back or its being overdue was already reported.
    private func untilHeldBatchIsDue() -> Int64? {
        let since = heldSince.load(ordering: .acquiring)
        guard since != 0, overdueReported.load(ordering: .relaxed) != since else { return nil }
        return max(0, since + sealDelay - Sys.monotonicNanoseconds())
    }

    // MARK: Both

    /// Claims the lowest-numbered sealed batch and writes it (under the lock), syncs it with
    /// one `fdatasync` (outside), then acknowledges every batch synced in order (under the
    /// lock). False when no batch was sealed. Any failure halts the pipeline.
    private func flushNext() throws(JournalError) -> Bool {
        let claimed = try book.withLock { (book) throws(JournalError) -> (slot: Int, descriptor: Int32, offset: Int)? in
            var next: Int?
            for slot in 0 ..< Self.slotCount where state(slot) == .sealed {
                if next.map({ slotBatches[slot] < slotBatches[$0] }) ?? true { next = slot }
            }
            guard let slot = next else { return nil }
            setState(slot, .syncing)
            let offset = log.offset
            do throws(SystemCallError) {
                try Sys.writeFully(log.descriptor, slots[slot].bytes)
            } catch {
                throw halt(.systemCall(file: log.path, offset: offset, error))
            }
            book.written = slotBatches[slot]
            log.offset += slots[slot].count
            currentLogBytes.store(log.recordBytes, ordering: .relaxed)
            bytesWritten.add(slots[slot].count, ordering: .relaxed)
            return (slot, log.descriptor, offset)
        }
        guard let claimed else { return false }
        do throws(SystemCallError) {
            // The file's size is the only metadata replay needs, and fdatasync syncs it. It
            // covers every batch written before it, but a batch is acknowledged only once
            // its own sync and every earlier one have returned without an error.
            try Sys.fdatasync(claimed.descriptor)
        } catch {
            // The log is not replaced while a batch of it is in flight.
            throw halt(.systemCall(file: log.path, offset: claimed.offset, error))
        }
        book.withLock { book in
            setState(claimed.slot, .synced)
            fsyncs.add(1, ordering: .relaxed)
            var advanced = true
            while advanced {
                advanced = false
                for slot in 0 ..< Self.slotCount
                where state(slot) == .synced && slotBatches[slot] == book.acknowledged + 1 {
                    book.acknowledged += 1
                    syncedRecords.add(slots[slot].records, ordering: .relaxed)
                    durable.store(slots[slot].lastSequence, ordering: .releasing)
                    slots[slot].removeAll()
                    setState(slot, .free)
                    advanced = true
                }
            }
        }
        try signal()
        return true
    }

    /// Keeps `error` as the first failure, halts the pipeline for good, and returns it.
    private func halt(_ error: JournalError) -> JournalError {
        failure.withLock { if case .none = $0 { $0 = error } }
        failed.store(true, ordering: .releasing)
        try? signal()
        return error
    }

    /// Bumps the change word and wakes any thread sleeping on it (it re-checks what it
    /// waits for).
    private func signal() throws(JournalError) {
        changes.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        do {
            try Sys.futexWake(UnsafeMutableRawPointer(changes))
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
    }

    /// Sleeps until the change word moves from `observed`, at most the timeout computed once
    /// this thread counts as a sleeper (a writer that holds a batch back after that signals,
    /// and the caller computes again); a wake-up may be early: callers re-check.
    private func wait(_ observed: UInt32, nanoseconds timeout: () -> Int64) throws(JournalError) {
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        let nanoseconds = timeout()
        guard nanoseconds > 0 else { return }
        do {
            _ = try Sys.futexWait(UnsafeMutableRawPointer(changes), expected: observed, timeout: .nanoseconds(nanoseconds))
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
    }
}
