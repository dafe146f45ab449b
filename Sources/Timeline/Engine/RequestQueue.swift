import Frames

/// What `TimelineEngine.submit` queues until the next `apply`, in one value: the requests,
/// their bytes, the failures of those that fail (by index in `pending`), each connection's
/// latest phase, and whether one was refused at submit. One value, so that queueing a
/// request is one access to the engine's property (each access to a class's stored
/// property costs a run-time exclusivity check), and its fields are reached statically.
struct RequestQueue {
    /// The requests, in submission order (in memory the queue frees, as the arena's).
    var pending = UnsafeGrowableBuffer<PendingRequest>()
    /// Fire-and-forget binary inserts and deletes queued while `pending` was empty (a write
    /// flood), each without a ``PendingRequest`` or a phase: they precede every request of
    /// `pending` and belong to phase 0 (every connection's first writes), so `apply` writes
    /// them first, in order. In memory the queue frees (``deallocate()``), as the arena's.
    var directWrites = UnsafeGrowableBuffer<DirectWrite>()
    /// How many of them are deletes (the rest are inserts): they are counted by `apply`,
    /// once per batch.
    var directDeletes = 0
    /// Their binary messages, back to back.
    var arena = RequestArena()
    /// Why the request at an index of `pending` fails, when it does.
    var failures: [Int: EngineFailure] = [:]
    /// The highest phase queued (-1: none).
    var maxPhase = -1
    /// Whether a request was refused at submit (phase -1).
    var hasRefused = false
    /// Requests queued that wait for an answer (all but fire-and-forget).
    var awaitingAnswer = 0
    /// Each connection's latest phase; the connection seen last keeps its own in
    /// `lastPhase`, out of the table (frames come in runs from one connection).
    private var connectionPhases: [TimelineConnection: Int] = [:]
    private var lastConnection = TimelineConnection(rawValue: .max)
    private var lastPhase = -1

    /// Queues a binary insert or delete whose write was read at submit.
    mutating func appendWrite(
        _ data: UnsafeRawBufferPointer, operation: TimelineOperation, interaction: TimelineInteraction,
        connection: TimelineConnection, token: TimelineReplyToken, write: PendingWrite
    ) {
        let phase = nextPhase(of: connection, writing: true)
        if interaction != .fireAndForget { awaitingAnswer += 1 }
        let arenaStart = arena.count
        arena.append(data)
        pending.append(PendingRequest(
            connection: connection, token: token, interaction: interaction, encoding: .binary, operation: operation,
            phase: phase, arenaStart: arenaStart, arenaCount: data.count, write: write))
    }

    /// Queues a fire-and-forget binary insert or delete as a direct write; only while
    /// `pending` is empty. No phase is kept for `connection`: its next request gets the one
    /// it would have had after these writes (a write phase 0, a read phase 1).
    mutating func appendDirectWrite(
        _ data: UnsafeRawBufferPointer, isDelete: Bool, connection: TimelineConnection, token: TimelineReplyToken,
        write: PendingWrite
    ) {
        let arenaStart = arena.count
        arena.append(data)
        directWrites.append(DirectWrite(connection: connection, token: token, arenaStart: arenaStart, write: write, isDelete: isDelete))
        if isDelete { directDeletes += 1 }
    }

    /// The phase of `connection`'s next request: the same as its previous one while it keeps
    /// writing (even phases) or reading (odd phases), the next one when it switches.
    @inline(__always)  // into every submit: the connection seen last is a compare
    mutating func nextPhase(of connection: TimelineConnection, writing: Bool) -> Int {
        let previous = connection == lastConnection ? lastPhase : switchConnection(to: connection)
        let phase: Int
        if previous < 0 {
            phase = writing ? 0 : 1
        } else {
            phase = (previous % 2 == 0) == writing ? previous : previous + 1
        }
        lastPhase = phase
        if phase > maxPhase { maxPhase = phase }
        return phase
    }

    /// Makes `connection` the one seen last, keeping the previous one's phase in the table;
    /// returns `connection`'s latest phase (-1: none).
    private mutating func switchConnection(to connection: TimelineConnection) -> Int {
        if lastPhase >= 0 { connectionPhases[lastConnection] = lastPhase }
        lastConnection = connection
        return connectionPhases[connection] ?? -1
    }

    /// Frees the memory of the requests, the arena and the direct writes (the queue's owner,
    /// at its end).
    mutating func deallocate() {
        pending.deallocate()
        arena.deallocate()
        directWrites.deallocate()
    }

    /// Empties the queue, keeping every buffer's capacity.
    mutating func reset() {
        pending.removeAll()
        directWrites.removeAll()
        directDeletes = 0
        arena.removeAll()
        if !failures.isEmpty { failures.removeAll(keepingCapacity: true) }
        if !connectionPhases.isEmpty { connectionPhases.removeAll(keepingCapacity: true) }
        lastConnection = TimelineConnection(rawValue: .max)
        lastPhase = -1
        maxPhase = -1
        hasRefused = false
        awaitingAnswer = 0
    }
}
