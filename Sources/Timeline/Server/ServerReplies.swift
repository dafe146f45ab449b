import Frames
import Journal
import Transport

/// A stream the server answers on: how to reach it, and the events a tail may still send as
/// the engine counts them (its REQUEST_N credit).
struct OpenStream {
    var output: ResponderOutput
    var key: StreamKey
    var credit: Int
}

/// A stream as the session names it: its connection and its reference.
struct StreamKey: Hashable {
    var connection: UInt64
    var stream: StreamRef
}

/// The engine's output over the server's sessions: reply tokens mapped to the streams'
/// ``ResponderOutput``s, answers written into frames, and, in a durable server, answers held
/// until the journal has synced what they acknowledge (group commit). Used on the poll
/// thread only. The tables keep their capacity, so steady traffic allocates nothing.
final class ServerReplies: TimelineEngineOutput {
    private var streams: [TimelineReplyToken: OpenStream] = [:]
    private var tokens: [StreamKey: TimelineReplyToken] = [:]
    private var nextToken: UInt64 = 1
    private let deferred = DeferredReplies()
    /// The durability glue of a durable server.
    let durability: TimelineDurability?

    init(durability: TimelineDurability?) {
        self.durability = durability
        streams.reserveCapacity(256)
        tokens.reserveCapacity(256)
    }

    /// Answers waiting for the log.
    var waitingCount: Int { deferred.count }

    /// Registers a stream: its token for the engine.
    func open(_ output: ResponderOutput, credit: UInt32) -> TimelineReplyToken {
        let token = TimelineReplyToken(rawValue: nextToken)
        nextToken &+= 1
        let key = StreamKey(connection: output.connection.rawValue, stream: output.stream)
        streams[token] = OpenStream(output: output, key: key, credit: Int(credit))
        tokens[key] = token
        return token
    }

    /// The token of an open stream.
    func token(of output: ResponderOutput) -> TimelineReplyToken? {
        tokens[StreamKey(connection: output.connection.rawValue, stream: output.stream)]
    }

    /// Sets a tail's credit to what the session says it is; the increase, for the engine.
    func grant(_ token: TimelineReplyToken, credit: UInt32) -> UInt32 {
        guard var stream = streams[token], Int(credit) > stream.credit else { return 0 }
        let increase = UInt32(Int(credit) - stream.credit)
        stream.credit = Int(credit)
        streams[token] = stream
        return increase
    }

    /// Forgets a stream (answered, failed, cancelled).
    func end(_ token: TimelineReplyToken) {
        guard let stream = streams.removeValue(forKey: token) else { return }
        tokens[stream.key] = nil
    }

    /// Forgets every stream of a connection that closed.
    func close(_ connection: UInt64) {
        let gone = streams.filter { $0.value.key.connection == connection }
        for (token, stream) in gone {
            streams[token] = nil
            tokens[stream.key] = nil
        }
    }

    // MARK: TimelineEngineOutput

    func respond(to token: TimelineReplyToken, with data: some FrameEncodable) {
        guard let stream = streams[token] else { return }
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
        stream.output.next(encoding: data, complete: true)
    }

    func emit(to token: TimelineReplyToken, event: UnsafeRawBufferPointer) -> Bool {
        guard var stream = streams[token] else { return true }
        switch stream.output.next(event, complete: false) {
        case .sent, .held:
            // Read, then set: a dictionary's in-place `_modify` allocates in a debug build.
            stream.credit -= 1
            streams[token] = stream
            return true
        case .refused(.backlogFull), .refused(.holdFull):
            return false
        case .refused:
            return true
        }
    }

    func fail(_ token: TimelineReplyToken, code: ErrorCode, reason: String) {
        guard let stream = streams[token] else { return }
        end(token)
        stream.output.error(code, reason: reason)
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
                guard let stream = streams[token] else { return }
                end(token)
                stream.output.error(.applicationError, reason: reason)
                failed += 1
            }
            return failed
        }
        return deferred.release(upTo: durability.durableSequence) { token, bytes in
            guard let stream = streams[token] else { return }
            end(token)
            stream.output.next(bytes, complete: true)
        }
    }

    private static func journalFailed(_ error: JournalError) -> String {
        "write not durable: the journal failed (\(error)); the server accepts no more writes"
    }
}
