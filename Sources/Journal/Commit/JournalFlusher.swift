/// The handle a flusher thread uses to make the writer's sealed batches durable while the
/// writer fills the next one (see ``Journal/seal()`` and ``Journal/sealIfDue(urgent:)``). One
/// or two threads flush: with two, an urgent batch is written and synced while the previous
/// batch's sync is still in flight (batches are written in order, and acknowledged in order
/// once each and every earlier one is synced).
///
/// ```swift
/// let flusher = journal.flusher
/// // each of two flusher threads:
/// while running {
///     switch try flusher.flush(waitingUpTo: .milliseconds(20)) {
///     case .flushed, .sealOverdue: wakeWriter()   // answers to send; or a batch to seal
///     case .nothingSealed: break
///     }
/// }
/// // writer thread, each cycle:
/// _ = try journal.sealIfDue(urgent: answersWaiting)
/// answerWritesUpTo(journal.durableSequence)
/// ```
public struct JournalFlusher: Sendable {
    let pipeline: CommitPipeline

    /// What one ``flush(waitingUpTo:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// A sealed batch was written and synced: ``durableSequence`` moved.
        case flushed
        /// Nothing was sealed within the wait.
        case nothingSealed
        /// Nothing was sealed, and the batch the writer holds back
        /// (``Journal/sealIfDue(urgent:)``) is due: wake the writer so it seals. Said once per
        /// held batch.
        case sealOverdue
    }

    /// Writes and syncs the next batch the writer sealed, if any, first waiting up to `timeout`
    /// (nil: not at all) for one to be sealed, and no longer than until a batch the writer
    /// holds back falls due. A failure is thrown here and by every later call on the journal.
    @discardableResult
    public func flush(waitingUpTo timeout: Duration? = nil) throws(JournalError) -> Outcome {
        try pipeline.flush(waitingUpTo: timeout)
    }

    /// The last sequence number whose batch is synced.
    public var durableSequence: UInt64 { pipeline.durable.load(ordering: .acquiring) }
}
