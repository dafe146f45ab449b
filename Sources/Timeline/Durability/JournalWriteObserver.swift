import Journal
import LWWSet

/// The engine's write observer in a durable server: each write the set accepted becomes one
/// journal record (<doc:JournalRecords>), written in place into the journal's batch buffer,
/// so nothing allocates. A failed append (a halted journal) is handed to the durability
/// glue, which then fails the writes waiting for the log.
struct JournalWriteObserver: TimelineWriteObserver {
    /// The glue (unowned: it owns the journal and outlives every apply).
    unowned let durability: TimelineDurability

    mutating func accepted(_ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) {
        guard durability.failure == nil else { return }
        do throws(JournalError) {
            try durability.journal.append(length: WriteRecord.length(key: key.count, member: member.count)) { buffer in
                WriteRecord.encode(kind, key: key, score: score, member: member, into: buffer)
            }
        } catch {
            durability.fail(error)
        }
    }
}
