import Glibc
import Frames
import Transport

extension TimelineClient {
    /// Follows `key`: every write the server accepts for it from now on (what changed the
    /// set, not what was ignored), in the order applied, as a ``TimelineTail``. Demand is
    /// bounded: the server sends at most ``TimelineClientConfiguration/tailWindow`` events
    /// ahead of the reader; a reader that falls too far behind is cut off by the server with
    /// an ERROR (``TimelineClientError/rejected(code:reason:)``), without slowing its writers.
    public func tail(key: some Collection<UInt8>) throws(TimelineClientError) -> TimelineTail {
        let keyBytes = Array(key)
        let data = try ByteView.with(keyBytes) { (key) throws(TimelineClientError) -> [UInt8] in
            switch configuration.encoding {
            case .binary:
                let request: TimelineRequest
                do throws(TimelineCodecError) {
                    request = try .tail(key: key)
                } catch {
                    throw TimelineClientError(error)
                }
                var bytes = [UInt8](repeating: 0, count: request.encodedByteCount)
                bytes.withUnsafeMutableBytes { request.unsafeEncode(into: $0) }
                return bytes
            case .json:
                let data = try encodeJSON(.tail(key: try ByteView.text(key, "key")))
                return [UInt8](data)
            }
        }
        do throws(TransportError) {
            return TimelineTail(stream: try connection.requestStream(data: data), client: self, key: keyBytes)
        } catch {
            throw TimelineClientError(error)
        }
    }

    /// A tail event read from its payload. Its key is `tailKey` itself, shared, when the
    /// event's key bytes are the tail's (always, from a well-behaved server); in binary its
    /// member is the payload's own array, the member's bytes moved to its front (the event is
    /// read in place, as the server reads a single write, and costs no allocation beyond the
    /// payload's copy). Usable from inline code: ``TimelineTail/Iterator/next()`` calls it.
    @usableFromInline
    func event(_ payload: consuming Payload, tailKey: [UInt8]) throws(TimelineClientError) -> TimelineEvent {
        switch configuration.encoding {
        case .binary:
            var bytes = payload.data
            // The payload's hold on the array goes: it is this function's alone, and trimmed
            // in place below.
            payload = Payload(data: [])
            let (write, keyIsTail) = try bytes.withUnsafeBytes { view in
                Result { () throws(TimelineClientError) -> (TimelineSingleWrite, Bool) in
                    do throws(TimelineCodecError) {
                        let write = try TimelineSingleWrite(decoding: view)
                        return (write, Self.same(UnsafeRawBufferPointer(rebasing: view[write.keyOffset ..< write.keyOffset + write.keyCount]), tailKey))
                    } catch {
                        throw .protocolViolation("a tail event (an insert or a delete): \(error)")
                    }
                }
            }.get()
            let key = keyIsTail ? tailKey : Array(bytes[write.keyOffset ..< write.keyOffset + write.keyCount])
            // The member ends the message (the decoder checked): drop what comes before it.
            bytes.removeSubrange(0 ..< write.memberOffset)
            return TimelineEvent(kind: write.isDelete ? .delete : .insert, key: key, score: write.score, member: bytes)
        case .json:
            let request = try payload.data.withUnsafeBytes { bytes in
                Result { () throws(TimelineClientError) in try decodeJSON(TimelineJSONRequest.self, bytes) }
            }.get()
            switch request {
            case let .insert(key, score, member):
                return TimelineEvent(kind: .insert, key: key.utf8.elementsEqual(tailKey) ? tailKey : Array(key.utf8), score: score, member: Array(member.utf8))
            case let .delete(key, score, member):
                return TimelineEvent(kind: .delete, key: key.utf8.elementsEqual(tailKey) ? tailKey : Array(key.utf8), score: score, member: Array(member.utf8))
            default: throw .protocolViolation("a tail event that is not an insert or a delete")
            }
        }
    }
}

extension TimelineClient {
    /// Whether `bytes` are exactly those of `key`.
    static func same(_ bytes: UnsafeRawBufferPointer, _ key: [UInt8]) -> Bool {
        key.withUnsafeBytes { key in
            key.count == bytes.count && (key.count == 0 || memcmp(key.baseAddress!, bytes.baseAddress!, key.count) == 0)
        }
    }
}

/// A key's accepted writes, in order, as an `AsyncSequence` of ``TimelineEvent``s (from
/// ``TimelineClient/tail(key:)``). Reading pulls demand: the client asks for a window of
/// events and for more (REQUEST_N) as half of it is consumed. The sequence throws
/// ``TimelineClientError`` when the server cuts the tail off or the connection fails, and
/// `CancellationError` when the reading task is cancelled (which cancels the tail): at once
/// when it was cancelled before it reads, within a few milliseconds when it is cancelled
/// while it waits (the connection's thread notices on its next full cycle).
/// ``next()`` is the blocking form, for a thread outside Swift concurrency. Dropping the
/// tail, or ``cancel()``, cancels it. One reader at a time. A reading task that prefers the
/// client's ``TimelineClient/executor`` holds each event without a thread hop.
public struct TimelineTail: AsyncSequence, Sendable {
    /// Each event.
    public typealias Element = TimelineEvent

    let stream: PayloadStream
    let client: TimelineClient
    /// The key followed (each event's key shares its storage).
    let key: [UInt8]

    /// An iterator over the events.
    public func makeAsyncIterator() -> Iterator { Iterator(payloads: stream.makeAsyncIterator(), client: client, key: key) }

    /// Cancels the tail (CANCEL); a reader waiting now gets `CancellationError`.
    public func cancel() { stream.cancel() }

    /// Blocks the calling thread until the next event arrives, and returns it; nil once the
    /// server completed the tail. Throws as the sequence does. The thread reads the
    /// connection itself (no task, no thread hop): it polls briefly, yielding the processor
    /// every few microseconds, then sleeps on the carrier until frames arrive (see
    /// `PayloadStream.nextBlocking()`; a latency-sensitive blocking reader wants a client of
    /// its own). Not for a thread of Swift concurrency's pool.
    public func next() throws -> TimelineEvent? {
        var received: Payload?
        do throws(TransportError) {
            received = try stream.nextBlocking()
        } catch {
            throw TimelineClientError(error)
        }
        // Taken out of the optional: the event's decoding gets the only reference.
        guard let payload = received.take() else { return nil }
        return try client.event(consume payload, tailKey: key)
    }

    /// Reads the events.
    public struct Iterator: AsyncIteratorProtocol {
        @usableFromInline var payloads: PayloadStream.Iterator
        @usableFromInline let client: TimelineClient
        @usableFromInline let key: [UInt8]

        init(payloads: PayloadStream.Iterator, client: TimelineClient, key: [UInt8]) {
            self.payloads = payloads
            self.client = client
            self.key = key
        }

        /// The next event, nil once the server completed the tail. Inlinable, as the
        /// payloads' `next()` it calls is: the reader's task then suspends and resumes in
        /// the reader's own function, and no async function of this module or Transport's
        /// stands between them (each would cost the task a switch back to its executor at its
        /// return: see `PayloadStream.Iterator.next()`).
        @inlinable
        public mutating func next() async throws -> TimelineEvent? {
            do {
                var received = try await payloads.next()
                guard let payload = received.take() else { return nil }
                return try client.event(consume payload, tailKey: key)
            } catch let error as TransportError {
                throw TimelineClientError(error)
            }
        }
    }
}
