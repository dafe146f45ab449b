import DrainLoop
import Dispatch
import Journal
import LWWSet
import Posix
import ShmRing
import Synchronization

/// The glue between the engine and the `Journal` (`--data-dir`): replay at start, group
/// commit through the journal's two flusher threads (the second writes and syncs an urgent
/// batch while the first one's sync is in flight), and compaction by snapshots of a copy of
/// the set written on a thread of their own.
///
/// The server's poll thread (the single writer) appends through the engine's observer while
/// the engine applies, then ``sealIfNeeded(answersWaiting:)``; the flusher threads make each
/// sealed batch durable and ring the server's doorbell, and the writer answers what
/// ``durableSequence`` covers.
final class TimelineDurability: @unchecked Sendable {
    // @unchecked: the journal and the writer-side fields are used by one thread at a time:
    // the thread that opens it, then the server's poll thread while it runs, then the thread
    // that stops the server after joining the poll thread. The flusher and snapshot threads
    // use only Sendable handles (`JournalFlusher`, `SnapshotPlan`, a copy of the set) and
    // the atomic and mutex-guarded state below.

    /// The journal.
    let journal: Journal
    /// What opening replayed.
    let replay: ReplayReport

    /// The first failure of the writer's side (append or seal) or the flusher's.
    private(set) var failure: JournalError? {
        didSet { hasFailed = failure != nil }
    }
    /// Whether ``failure`` is set (a flag the writer reads per accepted write, cheaper than
    /// the optional error).
    private(set) var hasFailed = false
    /// The last sequence handed to the flusher by a successful seal.
    private var sealedSequence: UInt64
    private let flusherFailure = FlusherFailure()
    private let flusherRunners: [AgentRunner]
    /// Snapshots written since start (by the snapshot thread).
    let snapshotsWritten = Atomic<Int>(0)
    /// Snapshots that failed.
    let snapshotsFailed = Atomic<Int>(0)
    private let snapshotQueue = DispatchQueue(label: "ringside.timeline.snapshot")

    /// Flusher threads: one syncing while the next urgent batch is written and synced.
    static let flusherCount = 2

    /// Opens (locks, replays) the journal in `directory` into `set` and starts the flushers,
    /// which rings `doorbell` after each durable batch. A replay error (a corrupt record in
    /// the middle, a record that is not a write) is the journal's error, naming the file and
    /// the offset.
    init(directory: String, options: JournalOptions, set: inout LWWSet, doorbell: Doorbell) throws(TimelineServerError) {
        do throws(JournalError) {
            journal = try Journal.open(
                directory: directory, options: options,
                snapshot: { bytes in try Self.apply(bytes, to: &set) },
                record: { _, bytes in try Self.apply(bytes, to: &set) })
        } catch {
            throw .journal(error)
        }
        replay = journal.replay
        sealedSequence = journal.appendedSequence
        var runners: [AgentRunner] = []
        do {
            for _ in 0 ..< Self.flusherCount {
                runners.append(try AgentRunner(agent: FlusherAgent(flusher: journal.flusher, doorbell: doorbell, failure: flusherFailure)))
            }
        } catch {
            for runner in runners { runner.close() }
            try? journal.close()
            throw .thread(error.description)
        }
        flusherRunners = runners
    }

    /// Applies one replayed record to the set.
    private static func apply(_ bytes: UnsafeRawBufferPointer, to set: inout LWWSet) throws {
        try WriteRecord.decode(bytes) { kind, key, score, member in
            _ = try set.write(kind, key: key, score: score, member: member)
        }
    }

    /// Keeps the first failure: from then on nothing is appended and every write waiting for
    /// the log is failed.
    func fail(_ error: JournalError) {
        if failure == nil { failure = error }
    }

    /// The last sequence whose batch is on disk.
    var durableSequence: UInt64 { journal.durableSequence }

    /// The last sequence appended.
    var appendedSequence: UInt64 { journal.appendedSequence }

    /// After an apply: takes the flusher's failure, if any, and hands what was appended to the
    /// flusher when it is due (``Journal/sealIfDue(urgent:)``: at once when `answersWaiting`,
    /// answers held for the log; else once the batch is large or old enough) and the flusher
    /// is idle; otherwise a later call does, with whatever was appended meanwhile. Called
    /// every poll round, so a batch goes as soon as it can; a server asleep is woken by the
    /// flusher when its held batch falls due.
    func sealIfNeeded(answersWaiting: Bool) {
        if failure == nil, flusherFailure.failed.load(ordering: .acquiring), let error = flusherFailure.error.withLock({ $0 }) {
            failure = error
        }
        guard failure == nil, journal.appendedSequence > sealedSequence else { return }
        do throws(JournalError) {
            let appended = journal.appendedSequence
            if try journal.sealIfDue(urgent: answersWaiting) { sealedSequence = appended }
        } catch {
            failure = error
        }
    }

    /// Makes everything appended durable on this thread (the clean stop); false when the
    /// journal failed.
    @discardableResult
    func commitNow() -> Bool {
        guard failure == nil else { return false }
        do throws(JournalError) {
            sealedSequence = try journal.commit()
            return true
        } catch {
            failure = error
            return false
        }
    }

    /// Starts a snapshot when the journal asks for one: begun on this (the writer's) thread,
    /// where `set` is copied, then written on the snapshot thread while the writer goes on.
    /// `liveBytes` estimates what the snapshot would hold.
    func snapshotIfNeeded(_ set: LWWSet, liveBytes: Int) {
        guard failure == nil, journal.needsSnapshot(liveBytes: liveBytes) else { return }
        let plan: SnapshotPlan
        do throws(JournalError) {
            plan = try journal.beginSnapshot()
        } catch {
            failure = error
            return
        }
        sealedSequence = plan.sequence
        let copy = set
        snapshotQueue.async { [self] in
            do throws(JournalError) {
                try plan.write { writer in
                    try copy.forEachEntry { (kind, key, score, member) throws(JournalError) in
                        try writer.append(length: WriteRecord.length(key: key.count, member: member.count)) { buffer in
                            WriteRecord.encode(kind, key: key, score: score, member: member, into: buffer)
                        }
                    }
                }
                snapshotsWritten.add(1, ordering: .relaxed)
            } catch {
                snapshotsFailed.add(1, ordering: .relaxed)
                StandardError.writeLine("ringside serve: snapshot failed (the log keeps every record): \(error)")
            }
        }
    }

    /// Stops the flushers, waits for a snapshot being written, and closes the journal (a last
    /// commit, then the lock is released). Once the server's poll thread has stopped.
    func close() throws(JournalError) {
        for runner in flusherRunners { runner.close() }
        snapshotQueue.sync {}
        try journal.close()
    }
}

/// A flusher thread: makes each sealed batch durable and rings the server's doorbell so
/// the writer answers the writes it covers; rings it too when a batch the writer held back
/// falls due, so a sleeping writer seals it.
private struct FlusherAgent: Agent {
    let flusher: JournalFlusher
    let doorbell: Doorbell
    let failure: FlusherFailure
    var failed = false

    var roleName: String { "journal-flusher" }

    mutating func doWork() throws -> Int {
        guard !failed else {
            // A failed journal accepts nothing more: wait to be stopped.
            try? Sys.sleep(for: .milliseconds(20))
            return 0
        }
        do throws(JournalError) {
            switch try flusher.flush(waitingUpTo: .milliseconds(20)) {
            case .flushed:
                doorbell.ring()
                return 1
            case .sealOverdue:
                doorbell.ring()
                return 0
            case .nothingSealed:
                return 0
            }
        } catch {
            failed = true
            failure.error.withLock { if case .none = $0 { $0 = error } }
            failure.failed.store(true, ordering: .releasing)
            doorbell.ring()
            return 0
        }
    }
}

/// The flusher's failure, for the writer: a flag it checks each round without a lock, and the
/// error, read once the flag is set.
private final class FlusherFailure: Sendable {
    let failed = Atomic<Bool>(false)
    let error = Mutex<JournalError?>(nil)
}
