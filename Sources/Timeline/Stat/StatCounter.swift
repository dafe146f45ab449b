/// The counters of the stat segment, by their index in its counter table (<doc:StatSegment>).
/// Indices and names are stable: new counters are appended (a minor layout change), never
/// renumbered or renamed.
public enum StatCounter: Int, CaseIterable, Sendable {
    /// Requests received by REQUEST_FNF.
    case fireAndForgetRequests
    /// Requests received by REQUEST_RESPONSE.
    case requestResponseRequests
    /// Requests received by REQUEST_STREAM.
    case requestStreamRequests
    /// Single inserts.
    case inserts
    /// Single deletes.
    case deletes
    /// Selects of one key.
    case selects
    /// Tails requested.
    case tails
    /// Insert batches.
    case insertBatches
    /// Delete batches.
    case deleteBatches
    /// Selects of several keys.
    case selectKeys
    /// Range (cursor) selects.
    case ranges
    /// Requests refused as malformed (0x204).
    case invalidRequests
    /// Requests that failed (0x201).
    case failedRequests
    /// Of those, fire-and-forget requests (no answer to send).
    case unansweredFailures
    /// Writes that changed the set (each logged when durable).
    case writesApplied
    /// Writes the set ignored (older, or past the size bound).
    case writesIgnored
    /// Tail events handed to the transport.
    case tailEventsSent
    /// Tails ended because their buffer overflowed.
    case tailsCutOff
    /// Tails subscribed now.
    case activeTails
    /// Connections opened since start.
    case connectionsOpened
    /// Connections closed since start.
    case connectionsClosed
    /// Connections open now.
    case connectionsOpen
    /// Connections closed with a connection ERROR.
    case connectionErrors
    /// SETUPs refused (a data MIME type the server does not speak).
    case setupsRefused
    /// Shared-memory connections whose client process was dead when they closed.
    case reclaimedClients
    /// Frames received.
    case framesReceived
    /// Frames sent.
    case framesSent
    /// Times the poll thread slept on its doorbell.
    case doorbellSleeps
    /// Shared-memory connect requests refused.
    case shmRejectedConnects
    /// Journal records synced.
    case logRecords
    /// Journal bytes written.
    case logBytes
    /// Journal fsyncs.
    case logFsyncs
    /// The last journal sequence on disk.
    case durableSequence
    /// Request-response answers waiting for their fsync.
    case repliesAwaitingDurability
    /// Snapshots written since start.
    case snapshotsWritten
    /// Snapshots that failed.
    case snapshotsFailed
    /// Keys in the set.
    case setKeys
    /// Entries in the add sets.
    case setEntries
    /// Entries in the remove sets.
    case setTombstones
    /// Member bytes held.
    case setMemberBytes
    /// Bytes the set has reserved.
    case setReservedBytes

    /// The counter's stable identifier (`requests_fnf`, `log_fsyncs`, ...), as `ringside stat`
    /// prints it and its `--json` names it.
    public var name: String {
        switch self {
        case .fireAndForgetRequests: "requests_fnf"
        case .requestResponseRequests: "requests_rr"
        case .requestStreamRequests: "requests_stream"
        case .inserts: "inserts"
        case .deletes: "deletes"
        case .selects: "selects"
        case .tails: "tails"
        case .insertBatches: "insert_batches"
        case .deleteBatches: "delete_batches"
        case .selectKeys: "select_keys"
        case .ranges: "ranges"
        case .invalidRequests: "errors_invalid"
        case .failedRequests: "errors_failed"
        case .unansweredFailures: "errors_unanswered_fnf"
        case .writesApplied: "writes_applied"
        case .writesIgnored: "writes_ignored"
        case .tailEventsSent: "tail_events_sent"
        case .tailsCutOff: "tails_cut_off"
        case .activeTails: "tails_active"
        case .connectionsOpened: "connections_opened"
        case .connectionsClosed: "connections_closed"
        case .connectionsOpen: "connections_open"
        case .connectionErrors: "connection_errors"
        case .setupsRefused: "setups_refused"
        case .reclaimedClients: "reclaimed_clients"
        case .framesReceived: "frames_received"
        case .framesSent: "frames_sent"
        case .doorbellSleeps: "doorbell_sleeps"
        case .shmRejectedConnects: "shm_rejected_connects"
        case .logRecords: "log_records"
        case .logBytes: "log_bytes"
        case .logFsyncs: "log_fsyncs"
        case .durableSequence: "log_durable_sequence"
        case .repliesAwaitingDurability: "replies_awaiting_fsync"
        case .snapshotsWritten: "snapshots_written"
        case .snapshotsFailed: "snapshots_failed"
        case .setKeys: "set_keys"
        case .setEntries: "set_entries"
        case .setTombstones: "set_tombstones"
        case .setMemberBytes: "set_member_bytes"
        case .setReservedBytes: "set_reserved_bytes"
        }
    }
}
