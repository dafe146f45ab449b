import Journal
import LWWSet

/// The engine's write observer in a durable server: each write the set accepted becomes one
/// journal record (<doc:JournalRecords>), written in place into the journal's batch buffer,
/// so nothing allocates. A failed append (a halted journal) is handed to the durability
/// glue, which then fails the writes waiting for the log.
struct JournalWriteObserver: TimelineWriteObserver {
    /// The glue and its journal, reached without a reference count on each write
    /// (`unowned(unsafe)`: the server's responder holds the glue, which holds the journal,
    /// for as long as it holds this observer).
    unowned(unsafe) let durability: TimelineDurability
    unowned(unsafe) let journal: Journal

    init(durability: TimelineDurability) {
        self.durability = durability
        self.journal = durability.journal
    }

    mutating func accepted(_ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) {
        guard !durability.hasFailed else { return }
        do throws(JournalError) {
            try journal.append(length: WriteRecord.length(key: key.count, member: member.count)) { buffer in
                WriteRecord.encode(kind, key: key, score: score, member: member, into: buffer)
            }
        } catch {
            durability.fail(error)
        }
    }
}
