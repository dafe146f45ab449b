import Frames
import Journal
import Transport

/// A stream the server answers on: how to reach it, and the events a tail may still send as
/// the engine counts them (its REQUEST_N credit).
struct OpenStream {
    var output: ResponderOutput
    var key: StreamKey
    var credit: Int
    /// Whether `key` is in the replies' table of tokens (a request-stream's is; a
    /// request-response's is not).
    var indexed: Bool
}

/// A stream as the session names it: its connection and its reference.
struct StreamKey: Hashable {
    var connection: UInt64
    var stream: StreamRef
}

/// One slot of ``ServerReplies``' stream table: the stream it holds, if any, and the
/// generation that the slot's current token carries.
struct StreamSlot {
    var generation: UInt32
    var stream: OpenStream?
}

/// The engine's output over the server's sessions: reply tokens mapped to the streams'
/// ``ResponderOutput``s, answers written into frames, and, in a durable server, answers held
/// until the journal has synced what they acknowledge (group commit). Used on the poll
/// thread only. The tables keep their capacity, so steady traffic allocates nothing.
///
/// A token names a slot of the stream table: its index in the low 32 bits, the slot's
/// generation in the high 32. Finding a stream (every answer, every tail event) is an index
/// and a compare, no hashing; a stale token (its stream ended and the slot was reused, or a
/// fire-and-forget's token 0: generations start at 1) finds nothing.
final class ServerReplies: TimelineEngineOutput {
    // Unchecked for exclusivity: each access to a class's stored `var` pays a run-time check
    // (two per tail event and answer, some 170 instructions under callgrind). Safe: only the
    // poll thread touches them, and no access spans a call that reaches them again.
    @exclusivity(unchecked) private var slots: [StreamSlot] = []
    @exclusivity(unchecked) private var freeSlots: [Int] = []
    @exclusivity(unchecked) private var tokens: [StreamKey: TimelineReplyToken] = [:]
    private let deferred = DeferredReplies()
    /// The durability glue of a durable server.
    let durability: TimelineDurability?

    init(durability: TimelineDurability?) {
        self.durability = durability
        slots.reserveCapacity(256)
        freeSlots.reserveCapacity(256)
        tokens.reserveCapacity(256)
    }

    /// Answers waiting for the log.
    var waitingCount: Int { deferred.count }

    /// The slot `token` names while its stream is open, or nil.
    @inline(__always)
    private func slot(of token: TimelineReplyToken) -> Int? {
        let index = Int(truncatingIfNeeded: token.rawValue & 0xFFFF_FFFF)
        guard index < slots.count, slots[index].generation == UInt32(truncatingIfNeeded: token.rawValue >> 32),
              slots[index].stream != nil else { return nil }
        return index
    }

    /// The open stream `token` names, or nil.
    @inline(__always)
    private func stream(_ token: TimelineReplyToken) -> OpenStream? {
        guard let index = slot(of: token) else { return nil }
        return slots[index].stream
    }

    /// Registers a stream: its token for the engine. `indexed`: its key goes into the table
    /// of tokens, where ``token(of:)`` finds it at once (a tail's, for every REQUEST_N);
    /// otherwise (a request-response, answered within the batch) it is looked for among the
    /// open streams, on a CANCEL only: adding a key to the table and removing it hashed it
    /// twice, more than the rest of the answer cost (callgrind).
    func open(_ output: ResponderOutput, credit: UInt32, indexed: Bool) -> TimelineReplyToken {
        let index: Int
        if let free = freeSlots.popLast() {
            index = free
        } else {
            index = slots.count
            slots.append(StreamSlot(generation: 1, stream: nil))
        }
        let key = StreamKey(connection: output.connection.rawValue, stream: output.stream)
        slots[index].stream = OpenStream(output: output, key: key, credit: Int(credit), indexed: indexed)
        let token = self.token(index)
        if indexed { tokens[key] = token }
        return token
    }

    /// The token of the stream in slot `index`.
    private func token(_ index: Int) -> TimelineReplyToken {
        TimelineReplyToken(rawValue: UInt64(slots[index].generation) << 32 | UInt64(index))
    }

    /// The token of an open stream.
    func token(of output: ResponderOutput) -> TimelineReplyToken? {
        let key = StreamKey(connection: output.connection.rawValue, stream: output.stream)
        if let token = tokens[key] { return token }
        for index in slots.indices where slots[index].stream?.key == key { return token(index) }
        return nil
    }

    /// Sets a tail's credit to what the session says it is; the increase, for the engine.
    func grant(_ token: TimelineReplyToken, credit: UInt32) -> UInt32 {
        guard let index = slot(of: token), var stream = slots[index].stream, Int(credit) > stream.credit else { return 0 }
        let increase = UInt32(Int(credit) - stream.credit)
        stream.credit = Int(credit)
        slots[index].stream = stream
        return increase
    }

    /// Forgets a stream (answered, failed, cancelled).
    func end(_ token: TimelineReplyToken) {
        guard let index = slot(of: token) else { return }
        release(index)
    }

    /// Empties slot `index` (which holds a stream) for reuse under the next generation.
    private func release(_ index: Int) {
        if let stream = slots[index].stream, stream.indexed { tokens[stream.key] = nil }
        slots[index].stream = nil
        // Generation 0 is never used, so no token of 0 (fire-and-forget's) ever matches.
        slots[index].generation = slots[index].generation == .max ? 1 : slots[index].generation + 1
        freeSlots.append(index)
    }

    /// Forgets every stream of a connection that closed.
    func close(_ connection: UInt64) {
        for index in slots.indices where slots[index].stream?.key.connection == connection { release(index) }
    }

    // MARK: TimelineEngineOutput

    func respond(to token: TimelineReplyToken, with data: some FrameEncodable) {
        guard let stream = stream(token) else { return }
        if let durability {
            if let failure = durability.failure {
                end(token)
                stream.output.error(.applicationError, reason: Self.journalFailed(failure))
                return
            }
            let needed = durability.appendedSequence
            if needed > durability.durableSequence {
                deferred.append(token, sequence: needed, response: data)
                return
            }
        }
        end(token)
        // Encoded in a closure of this module, specialised for `data` (through the generic
        // `next(encoding:)` its encoding would go through witness tables).
        stream.output.next(byteCount: data.encodedByteCount, complete: true, encode: { data.unsafeEncode(into: $0) })
    }

    func emit(to token: TimelineReplyToken, event: some FrameEncodable) -> Bool {
        guard let index = slot(of: token), var stream = slots[index].stream else { return true }
        switch stream.output.next(byteCount: event.encodedByteCount, complete: false, encode: { event.unsafeEncode(into: $0) }) {
        case .sent, .held:
            // Read, then set: an in-place `_modify` through the optional allocates in a debug build.
            stream.credit -= 1
            slots[index].stream = stream
            return true
        case .refused(.backlogFull), .refused(.holdFull):
            return false
        case .refused:
            return true
        }
    }

    func fail(_ token: TimelineReplyToken, code: ErrorCode, reason: String) {
        guard let stream = stream(token) else { return }
        end(token)
        stream.output.error(code, reason: reason)
    }

    func complete(_ token: TimelineReplyToken) {
        guard let stream = stream(token) else { return }
        end(token)
        stream.output.complete()
    }

    // MARK: Group commit

    /// Sends the answers the log now covers; when the journal has failed, fails them all
    /// with 0x201 instead. How many went out.
    func releaseDurable() -> Int {
        guard let durability, deferred.count > 0 else { return 0 }
        if let failure = durability.failure {
            var failed = 0
            let reason = Self.journalFailed(failure)
            deferred.drainAll { token in
                guard let stream = stream(token) else { return }
                end(token)
                stream.output.error(.applicationError, reason: reason)
                failed += 1
            }
            return failed
        }
        return deferred.release(upTo: durability.durableSequence) { token, bytes in
            guard let stream = stream(token) else { return }
            end(token)
            stream.output.next(bytes, complete: true)
        }
    }

    private static func journalFailed(_ error: JournalError) -> String {
        "write not durable: the journal failed (\(error)); the server accepts no more writes"
    }
}
