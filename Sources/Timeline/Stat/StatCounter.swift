/// The counters of the stat segment, by their index in its counter table (<doc:StatSegment>).
/// Indices and names are stable: new counters are appended (a minor layout change), never
/// renumbered or renamed.
public enum StatCounter: Int, CaseIterable, Sendable {
    case fireAndForgetRequests, requestResponseRequests, requestStreamRequests
    case inserts, deletes, selects, tails, insertBatches, deleteBatches, selectKeys, ranges
    case invalidRequests, failedRequests, unansweredFailures
    case writesApplied, writesIgnored
    case tailEventsSent, tailsCutOff, activeTails
    case connectionsOpened, connectionsClosed, connectionsOpen, connectionErrors, setupsRefused, reclaimedClients
    case framesReceived, framesSent, doorbellSleeps
    case shmRejectedConnects
    case logRecords, logBytes, logFsyncs, durableSequence, repliesAwaitingDurability, snapshotsWritten, snapshotsFailed
    case setKeys, setEntries, setTombstones, setMemberBytes, setReservedBytes

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
