import Posix

extension Journal {
    /// Opens the journal in `directory` (created if needed), locks it, and replays it: the
    /// records of the latest snapshot go to `snapshot` in order, then every log record after
    /// it to `record` with its sequence number. The buffers are valid only during the call.
    ///
    /// A torn or corrupt record at the very end of the last log (a crash mid-write) is never
    /// handed over: it is reported in ``replay`` and cut off the file. A corrupt record with
    /// valid records after it throws ``JournalError/corruptRecord(file:offset:_:)``. A
    /// directory locked by another open journal throws ``JournalError/locked(directory:holder:)``
    /// at once. An error a handler throws comes back as
    /// ``JournalError/replayRejected(file:offset:_:)``.
    public static func open(
        directory: String,
        options: JournalOptions = JournalOptions(),
        snapshot: (UnsafeRawBufferPointer) throws -> Void = { _ in },
        record: (UInt64, UnsafeRawBufferPointer) throws -> Void = { _, _ in }
    ) throws(JournalError) -> Journal {
        do {
            try Sys.makeDirectories(directory, 0o755)
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
        let lock = try DirectoryLock.acquire(directory: directory)
        do {
            return try open(directory: directory, options: options, lock: lock, snapshot: snapshot, record: record)
        } catch {
            try? Sys.close(lock)
            throw error
        }
    }

    /// The replay once the lock is held.
    private static func open(
        directory: String, options: JournalOptions, lock: Int32,
        snapshot: (UnsafeRawBufferPointer) throws -> Void,
        record: (UInt64, UnsafeRawBufferPointer) throws -> Void
    ) throws(JournalError) -> Journal {
        let files: [JournalFileName]
        do {
            files = try Sys.directoryEntries(directory).compactMap(JournalFileName.init)
        } catch {
            throw .systemCall(file: directory, offset: nil, error)
        }
        var report = ReplayReport()
        let snapshotGeneration = files.filter { $0.kind == .snapshot }.map(\.generation).max()
        if let snapshotGeneration {
            let replayed = try SnapshotReplay(
                path: directory + "/" + JournalFileName.snapshot(snapshotGeneration),
                generation: snapshotGeneration, limit: options.maximumRecordLength, record: snapshot
            )
            report.snapshotGeneration = snapshotGeneration
            report.snapshotSequence = replayed.sequence
            report.snapshotRecords = replayed.records
            report.lastSequence = replayed.sequence
        }
        let generation = snapshotGeneration ?? 0
        let logs = files.filter { $0.kind == .log && $0.generation >= generation }.map(\.generation).sorted()
        var retiredLogBytes = 0
        var active: (generation: UInt64, length: Int)?
        for (index, logGeneration) in logs.enumerated() {
            let replayed = try LogReplay(
                path: directory + "/" + JournalFileName.log(logGeneration), generation: logGeneration,
                expectedBase: report.lastSequence + 1, isLast: index == logs.count - 1,
                limit: options.maximumRecordLength, record: record
            )
            report.logRecords += replayed.records
            report.lastSequence = replayed.nextSequence - 1
            if let torn = replayed.tornTail { report.tornTails.append(torn) }
            if let active { retiredLogBytes += active.length - FileHeader.length }
            active = (logGeneration, replayed.endOffset)
        }
        report.staleFilesRemoved = try removeStale(files, below: snapshotGeneration, in: directory)
        let log: LogFile
        if let active {
            log = try LogFile.reopen(
                path: directory + "/" + JournalFileName.log(active.generation),
                generation: active.generation, validLength: active.length
            )
        } else {
            log = try LogFile.create(directory: directory, generation: generation, base: report.lastSequence + 1)
        }
        return Journal(
            directory: directory, options: options, replay: report, log: log,
            retiredLogBytes: retiredLogBytes, lockDescriptor: lock
        )
    }

    /// Deletes what a crash may have left: unfinished `*.tmp` files and, when a snapshot of
    /// generation `below` exists, the logs and snapshots before it. Their names.
    private static func removeStale(_ files: [JournalFileName], below generation: UInt64?, in directory: String) throws(JournalError) -> [String] {
        let stale = files.filter { file in
            file.kind == .temporary || (generation.map { file.generation < $0 } ?? false)
        }
        var removed: [String] = []
        for file in stale {
            do { try Sys.unlink(directory + "/" + file.name) } catch {
                throw .systemCall(file: directory + "/" + file.name, offset: nil, error)
            }
            removed.append(file.name)
        }
        if !removed.isEmpty {
            do { try Sys.fsyncDirectory(directory) } catch { throw .systemCall(file: directory, offset: nil, error) }
        }
        return removed.sorted()
    }
}
