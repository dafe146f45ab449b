import Glibc
import Posix
import Synchronization

/// The steps of writing a snapshot, in order (see <doc:LogFormat>).
enum SnapshotStep: Int, Comparable, CaseIterable {
    /// `snapshot-G.tmp` written with its end frame and synced.
    case synced
    /// Renamed to `snapshot-G.snap`.
    case renamed
    /// The directory synced: the snapshot is durable.
    case directorySynced
    /// Older logs and snapshots deleted.
    case oldFilesDeleted

    static func < (lhs: SnapshotStep, rhs: SnapshotStep) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What the journal and its snapshot plans share: one snapshot at a time, and the bytes of
/// logs a snapshot in progress will retire.
final class SnapshotCoordinator: Sendable {
    /// True from ``Journal/beginSnapshot()`` until the plan is written or dropped.
    let inProgress = Atomic<Bool>(false)
    /// Record bytes in log files older than the current one (zero once a snapshot deletes them).
    let retiredLogBytes: Atomic<Int>

    init(retiredLogBytes: Int) {
        self.retiredLogBytes = Atomic(retiredLogBytes)
    }
}

/// A snapshot to be written, made by ``Journal/beginSnapshot()`` on the writer thread at the
/// moment the server copies its state: the copy must hold exactly the records up to
/// ``sequence``. ``write(_:)`` may then run on any thread while the writer goes on.
public final class SnapshotPlan: Sendable {
    /// The generation the snapshot starts.
    public let generation: UInt64
    /// The last log sequence the snapshot covers.
    public let sequence: UInt64
    private let directory: String
    private let limit: Int
    private let coordinator: SnapshotCoordinator
    private let finished = Atomic<Bool>(false)

    init(directory: String, generation: UInt64, sequence: UInt64, limit: Int, coordinator: SnapshotCoordinator) {
        self.directory = directory
        self.generation = generation
        self.sequence = sequence
        self.limit = limit
        self.coordinator = coordinator
    }

    deinit {
        if !finished.load(ordering: .relaxed) { coordinator.inProgress.store(false, ordering: .releasing) }
    }

    /// Writes the snapshot: `produce` appends its records, then the file is synced, renamed
    /// into place, the directory synced, and the logs and snapshots it replaces are deleted.
    /// A failure (or a crash) at any step leaves a directory that replays to the same state;
    /// the next snapshot may be begun after it. A plan is written once (a second call throws
    /// ``JournalError/snapshotInProgress``).
    @discardableResult
    public func write(_ produce: (inout SnapshotWriter) throws -> Void) throws(JournalError) -> SnapshotReport {
        try write(produce, stoppingAfter: nil)!
    }

    /// ``write(_:)``, stopping as a crash would right after `step` (tests): nil then.
    func write(_ produce: (inout SnapshotWriter) throws -> Void, stoppingAfter step: SnapshotStep?) throws(JournalError) -> SnapshotReport? {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { throw .snapshotInProgress }
        defer { if step == nil { coordinator.inProgress.store(false, ordering: .releasing) } }
        let temporary = directory + "/" + JournalFileName.temporarySnapshot(generation)
        let path = directory + "/" + JournalFileName.snapshot(generation)
        let descriptor: Int32
        do {
            descriptor = try Sys.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } catch {
            throw .systemCall(file: temporary, offset: nil, error)
        }
        var records = 0
        var bytes = 0
        do throws(JournalError) {
            defer { try? Sys.close(descriptor) }
            var writer = try SnapshotWriter(
                path: temporary, descriptor: descriptor,
                header: FileHeader(kind: .snapshot, generation: generation, sequence: sequence), limit: limit
            )
            do {
                try produce(&writer)
            } catch let error as JournalError {
                throw error
            } catch {
                throw .producerFailed(file: temporary, error)
            }
            try writer.finish()
            records = writer.records
            bytes = writer.written
        } catch {
            try? Sys.unlink(temporary)
            throw error
        }
        if step == .synced { return nil }
        do { try Sys.rename(temporary, to: path) } catch {
            try? Sys.unlink(temporary)
            throw .systemCall(file: temporary, offset: nil, error)
        }
        if step == .renamed { return nil }
        do { try Sys.fsyncDirectory(directory) } catch { throw .systemCall(file: directory, offset: nil, error) }
        if step == .directorySynced { return nil }
        let removed = try removeReplaced()
        coordinator.retiredLogBytes.store(0, ordering: .relaxed)
        if step == .oldFilesDeleted { return nil }
        return SnapshotReport(generation: generation, sequence: sequence, records: records, bytes: bytes, removedFiles: removed)
    }

    /// Deletes the logs and snapshots of generations before this one: their names.
    private func removeReplaced() throws(JournalError) -> [String] {
        let names: [String]
        do { names = try Sys.directoryEntries(directory) } catch { throw .systemCall(file: directory, offset: nil, error) }
        var removed: [String] = []
        for name in names {
            guard let file = JournalFileName(name), file.kind != .temporary, file.generation < generation else { continue }
            do { try Sys.unlink(directory + "/" + name) } catch { throw .systemCall(file: directory + "/" + name, offset: nil, error) }
            removed.append(name)
        }
        return removed.sorted()
    }
}

/// What ``SnapshotPlan/write(_:)`` wrote.
public struct SnapshotReport: Sendable, Equatable {
    /// The snapshot's generation.
    public var generation: UInt64
    /// The last log sequence it covers.
    public var sequence: UInt64
    /// Its records.
    public var records: Int
    /// Its file's length.
    public var bytes: Int
    /// The files it replaced, deleted.
    public var removedFiles: [String]
}
