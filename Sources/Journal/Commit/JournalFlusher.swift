/// The handle a flusher thread uses to make the writer's sealed batches durable while the
/// writer fills the next one (see ``Journal/seal()``). At most one thread flushes.
///
/// ```swift
/// let flusher = journal.flusher
/// // flusher thread:
/// while running { _ = try flusher.flush(waitingUpTo: .milliseconds(10)) }
/// // writer thread, each cycle:
/// _ = try journal.seal()
/// answerWritesUpTo(journal.durableSequence)
/// ```
public struct JournalFlusher: Sendable {
    let pipeline: CommitPipeline

    /// Writes and syncs the batch the writer sealed, if any, first waiting up to `timeout`
    /// (nil: not at all) for one to be sealed. True when a batch became durable. A failure is
    /// thrown here and by every later call on the journal.
    public func flush(waitingUpTo timeout: Duration? = nil) throws(JournalError) -> Bool {
        try pipeline.flush(waitingUpTo: timeout)
    }

    /// The last sequence number whose batch is synced.
    public var durableSequence: UInt64 { pipeline.durable.load(ordering: .acquiring) }
}
