/// The items of a request-stream, in order, as an `AsyncSequence` of copies. Reading pulls
/// demand: the connection asks for ``ConnectionConfiguration/streamWindow`` items up front
/// and sends REQUEST_N for more as half of them are consumed. The sequence ends when the
/// responder completes the stream and throws its ERROR as ``TransportError``.
public struct PayloadStream: AsyncSequence, Sendable {
    /// Each item.
    public typealias Element = Payload

    let subscription: StreamSubscription

    /// An iterator over the stream (one reader at a time).
    public func makeAsyncIterator() -> Iterator { Iterator(subscription: subscription) }

    /// Cancels the stream (CANCEL); a reader waiting now gets `CancellationError`.
    public func cancel() { subscription.cancel() }

    /// Reads the stream's items.
    public struct Iterator: AsyncIteratorProtocol {
        let subscription: StreamSubscription

        /// The next item, nil once the stream completed.
        public mutating func next() async throws -> Payload? {
            try await subscription.next()
        }
    }
}

/// The reader's hold on one request-stream; cancels the stream when dropped before its end.
final class StreamSubscription: Sendable {
    let shared: ConnectionShared
    let streamID: UInt32

    init(shared: ConnectionShared, streamID: UInt32) {
        self.shared = shared
        self.streamID = streamID
    }

    deinit { cancel() }

    /// Sends CANCEL if the stream is still live.
    func cancel() {
        let id = streamID
        try? shared.withCore { (core) throws(TransportError) in core.cancel(id) }
    }

    /// The next item: one already received, or the next to arrive (the ticker reads for us).
    func next() async throws -> Payload? {
        let shared = shared
        let id = streamID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Payload?, any Error>) in
                var immediate: Result<Payload?, any Error>?
                var waiting = false
                do {
                    try shared.withCore { (core) throws(TransportError) in
                        core.pump { _, _ in }
                        guard var stream = core.streams[id] else {
                            immediate = .success(nil)
                            if let failure = core.failure { immediate = .failure(failure) }
                            return
                        }
                        if stream.hasItem {
                            immediate = .success(stream.takeItem())
                            core.noteConsumed(id, &stream)
                            core.streams[id] = stream
                            core.sendOwed()
                        } else if let failure = stream.failure {
                            core.streams[id] = nil
                            immediate = .failure(failure)
                        } else if stream.finished {
                            core.streams[id] = nil
                            immediate = .success(nil)
                        } else {
                            stream.continuation = continuation
                            core.streams[id] = stream
                            core.asyncWaiters += 1
                            waiting = true
                        }
                    }
                } catch {
                    immediate = .failure(error)
                }
                if let immediate {
                    continuation.resume(with: immediate)
                } else if waiting {
                    shared.tickerBell.doorbell.ring()
                }
            }
        } onCancel: {
            // Not here: the runtime runs this handler holding the task's status lock, which a
            // thread holding the connection's mutex needs to resume this task's continuation
            // (the ticker handing it an item): waiting here for the mutex would deadlock both.
            // The cancel takes the mutex from a task of its own.
            Task.detached { try? shared.withCore { (core) throws(TransportError) in core.cancel(id) } }
        }
    }
}
