import Posix

extension Journal {
    /// Record bytes in the log files a snapshot would replace (the current log and any older
    /// one a snapshot in progress has not yet deleted).
    public var logBytes: Int {
        pipeline.currentLogBytes.load(ordering: .relaxed) + snapshots.retiredLogBytes.load(ordering: .relaxed)
    }

    /// True when the log has grown past ``JournalOptions/compactionRatio`` times `liveBytes`
    /// (the size of the live state a snapshot would hold) and past
    /// ``JournalOptions/minimumCompactionBytes``, and no snapshot is under way.
    public func needsSnapshot(liveBytes: Int) -> Bool {
        guard !snapshots.inProgress.load(ordering: .acquiring) else { return false }
        let (scaled, overflow) = liveBytes.multipliedReportingOverflow(by: options.compactionRatio)
        return !overflow && logBytes > max(scaled, options.minimumCompactionBytes)
    }

    /// Begins a snapshot on the writer thread, at the moment the server copies its state:
    /// commits every appended record to the current log (one `fdatasync`), starts the log of the
    /// next generation (created, synced, the directory synced) for the records that follow,
    /// and returns the plan whose ``SnapshotPlan/write(_:)`` writes the copy, on any thread.
    /// One snapshot at a time: ``JournalError/snapshotInProgress`` otherwise.
    public func beginSnapshot() throws(JournalError) -> SnapshotPlan {
        guard !snapshots.inProgress.exchange(true, ordering: .acquiringAndReleasing) else {
            throw .snapshotInProgress
        }
        do throws(JournalError) {
            let sequence = try commit()
            let old = pipeline.log
            let next = try LogFile.create(directory: directory, generation: old.generation + 1, base: sequence + 1)
            pipeline.log = next
            pipeline.currentLogBytes.store(0, ordering: .relaxed)
            snapshots.retiredLogBytes.add(old.recordBytes, ordering: .relaxed)
            try? Sys.close(old.descriptor)
            return SnapshotPlan(
                directory: directory, generation: next.generation, sequence: sequence,
                limit: options.maximumRecordLength, coordinator: snapshots
            )
        } catch {
            snapshots.inProgress.store(false, ordering: .releasing)
            throw error
        }
    }

    /// ``beginSnapshot()`` and ``SnapshotPlan/write(_:)`` on this thread: for a server that
    /// can stop its writer while the snapshot is written, and for tools.
    @discardableResult
    public func writeSnapshot(_ produce: (inout SnapshotWriter) throws -> Void) throws(JournalError) -> SnapshotReport {
        try beginSnapshot().write(produce)
    }
}
