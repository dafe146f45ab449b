import Frames
import LWWSet

extension TimelineEngine {
    /// Queues one request for the next `apply`: `data` is the request frame's data (a
    /// timeline message in `encoding`, the connection's), valid only during this call;
    /// `interaction` is the frame's kind; `token` is how the answer finds its stream again.
    ///
    /// The message is checked here. A malformed one, or one the interaction cannot carry, is
    /// answered at the next `apply` with an ERROR (0x204 and a reason naming the field), or
    /// only counted when it came by fire-and-forget; it never affects other requests.
    public func submit(
        _ data: UnsafeRawBufferPointer, encoding: TimelineEncoding, interaction: TimelineInteraction,
        connection: TimelineConnection, token: TimelineReplyToken
    ) {
        if encoding == .binary, interaction == .fireAndForget || interaction == .requestResponse,
           submitSingleWrite(data, interaction: interaction, connection: connection, token: token) {
            return
        }
        submitRequest(data, encoding: encoding, interaction: interaction, connection: connection, token: token)
    }

    /// The general path of `submit`: any request, read in full (JSON converted to binary),
    /// refused here when malformed. Out of line, so that the fast path's call stays small.
    @inline(never)
    private func submitRequest(
        _ data: UnsafeRawBufferPointer, encoding: TimelineEncoding, interaction: TimelineInteraction,
        connection: TimelineConnection, token: TimelineReplyToken
    ) {
        counters.count(interaction)
        let arenaStart = arena.count
        var operation = TimelineOperation.insert
        var failure: EngineFailure?
        do throws(TimelineCodecError) {
            switch encoding {
            case .binary:
                operation = try TimelineRequest(decoding: data).operation
                arena.append(data)
            case .json:
                operation = try appendConverted(try codec.decode(TimelineJSONRequest.self, from: data))
            }
            counters.count(operation)
            if !operation.allows(interaction) {
                failure = .invalid("\(operation.name) cannot be sent by \(interaction.name)")
            }
        } catch .bufferTooSmall {
            failure = .failed("request larger than the \(configuration.maxMessageBytes)-byte message limit")
        } catch {
            failure = .invalid(error.description)
        }
        if let failure {
            arena.truncate(to: arenaStart)
            countFailure(failure, unanswered: interaction == .fireAndForget)
            guard interaction != .fireAndForget else { return }
            failures[pending.count] = failure
            pending.append(PendingRequest(
                connection: connection, token: token, interaction: interaction, encoding: encoding, operation: operation,
                phase: -1, arenaStart: arenaStart, arenaCount: 0))
            queue.hasRefused = true
            return
        }
        if interaction != .fireAndForget { queue.awaitingAnswer += 1 }
        pending.append(PendingRequest(
            connection: connection, token: token, interaction: interaction, encoding: encoding, operation: operation,
            phase: queue.nextPhase(of: connection, writing: operation.isWrite), arenaStart: arenaStart, arenaCount: arena.count - arenaStart))
    }

    /// The fast path of `submit` for a binary insert or delete, the bulk of a steady load: the
    /// request is read once here and its write (score, where its key and member lie) kept
    /// with it, so `apply` builds the batch without reading the message again. Few touches
    /// of the engine's properties (each a run-time exclusivity check). A direct write is
    /// counted at `apply`, with the others of its batch. False when the message is anything
    /// else, or malformed (the general path then answers it).
    @inline(__always)  // into submit: its call and frame cost a fifth of the rest
    private func submitSingleWrite(
        _ data: UnsafeRawBufferPointer, interaction: TimelineInteraction, connection: TimelineConnection,
        token: TimelineReplyToken
    ) -> Bool {
        // The operation byte first, by subscript: a throw for every select, or `first`, costs
        // an allocation in a debug build (the allocation tests run there).
        guard data.count > 0, data[0] == TimelineOperation.insert.rawValue || data[0] == TimelineOperation.delete.rawValue,
              let write = try? TimelineSingleWrite(decoding: data) else { return false }
        let operation = write.operation
        let pendingWrite = PendingWrite(
            score: write.score, keyOffset: Int32(truncatingIfNeeded: write.keyOffset), keyCount: Int32(truncatingIfNeeded: write.keyCount),
            memberOffset: Int32(truncatingIfNeeded: write.memberOffset), memberCount: Int32(truncatingIfNeeded: write.memberCount))
        if interaction == .fireAndForget && queue.pending.isEmpty {
            queue.appendDirectWrite(data, isDelete: write.isDelete, connection: connection, token: token, write: pendingWrite)
        } else {
            counters.count(interaction, operation)
            queue.appendWrite(data, operation: operation, interaction: interaction, connection: connection, token: token, write: pendingWrite)
        }
        return true
    }

    /// Grants `n` more events to the tail on `token` (a REQUEST_N) and sends what its
    /// buffer holds, up to the credit. A token with no tail is ignored (it may have been cut
    /// off); a tail submitted but not yet applied gets the credit when it starts.
    public func demand(_ token: TimelineReplyToken, _ n: UInt32, into output: inout some TimelineEngineOutput) {
        if let slot = tailByToken[token] {
            tails[slot].grant(n)
            drain(slot, into: &output)
            if tails[slot].queue.count > 0 && tails[slot].credit > 0 { list(slot) }
            return
        }
        for index in pending.indices where pending[index].token == token && !pending[index].dropped {
            if case .requestStream(let initial) = pending[index].interaction {
                pending[index].interaction = .requestStream(initialDemand: UInt32(clamping: UInt64(initial) + UInt64(n)))
            }
        }
    }

    /// Drops the request or tail on `token` (a CANCEL): nothing more is answered or sent on it.
    public func cancel(_ token: TimelineReplyToken) {
        if let slot = tailByToken[token] { removeTail(slot) }
        for index in pending.indices where pending[index].token == token { pending[index].dropped = true }
        for index in queue.directWrites.indices where queue.directWrites[index].token == token { queue.directWrites[index].dropped = true }
    }

    /// Drops every request and tail of `connection`, which has gone.
    public func close(_ connection: TimelineConnection) {
        for slot in tails.indices where tails[slot].isActive && tails[slot].connection == connection { removeTail(slot) }
        for index in pending.indices where pending[index].connection == connection { pending[index].dropped = true }
        for index in queue.directWrites.indices where queue.directWrites[index].connection == connection {
            queue.directWrites[index].dropped = true
        }
    }

    /// Writes the binary form of a JSON request into the arena and returns its operation.
    private func appendConverted(_ request: TimelineJSONRequest) throws(TimelineCodecError) -> TimelineOperation {
        try request.withBinary(scratch: scratch) { (binary) throws(TimelineCodecError) in
            try appendToArena(binary)
            return binary.operation
        }
    }

    /// Appends `request`'s binary form to the arena.
    private func appendToArena(_ request: TimelineRequest) throws(TimelineCodecError) {
        let count = request.encodedByteCount
        guard count <= configuration.maxMessageBytes else { throw .bufferTooSmall(needed: count, available: configuration.maxMessageBytes) }
        arena.append(count: count) { request.unsafeEncode(into: $0) }
    }

    /// Counts a request that fails, by its code.
    func countFailure(_ failure: EngineFailure, unanswered: Bool) {
        if failure.code == .invalid { counters.invalidRequests += 1 } else { counters.failedRequests += 1 }
        if unanswered { counters.unansweredFailures += 1 }
    }
}
