import CRingside
import Glibc

/// The items of a request-stream, in order, as an `AsyncSequence` of copies. Reading pulls
/// demand: the connection asks for ``ConnectionConfiguration/streamWindow`` items up front
/// and sends REQUEST_N for more as half of them are consumed. The sequence ends when the
/// responder completes the stream and throws its ERROR as ``TransportError``. The
/// connection's thread reads for a waiting reader; a reading task that prefers the
/// connection's ``Connection/executor`` is resumed on that thread, without a hop to the
/// global pool.
public struct PayloadStream: AsyncSequence, Sendable {
    /// Each item.
    public typealias Element = Payload

    @usableFromInline let subscription: StreamSubscription

    /// An iterator over the stream (one reader at a time).
    public func makeAsyncIterator() -> Iterator { Iterator(subscription: subscription) }

    /// Cancels the stream (CANCEL); a reader waiting now gets `CancellationError`.
    public func cancel() { subscription.cancel() }

    /// Blocks the calling thread until the next item arrives and returns it (nil once the
    /// stream completed); throws the stream's ERROR or the connection's failure. The thread
    /// reads the carrier itself, as a blocking request-response does: it polls, for
    /// ``ConnectionConfiguration/spinPolls`` polls (at most 2,000: a reader that waits long
    /// should not keep a busy machine's queue full), yielding the processor at each empty
    /// poll, or on shared memory every ``ConnectionConfiguration/memoryPollsPerYield`` empty
    /// polls, keeping it between, then sleeps until frames arrive: on shared memory on the
    /// carrier's doorbell without holding the connection's mutex (at most 100 ms at a time),
    /// so another caller on the same connection never waits behind an idle reader; on other
    /// carriers in their `waitForWork`, holding the mutex at most 2 ms at a time. A
    /// latency-sensitive blocking reader still wants a connection of its own (a caller
    /// holding the mutex delays its reads). Not for a thread of Swift concurrency's pool.
    public func nextBlocking() throws(TransportError) -> Payload? {
        try subscription.nextBlocking()
    }

    /// Reads the stream's items.
    public struct Iterator: AsyncIteratorProtocol {
        @usableFromInline let subscription: StreamSubscription

        init(subscription: StreamSubscription) { self.subscription = subscription }

        /// The next item, nil once the stream completed: one already received, or the next
        /// to arrive (``StreamSubscription/read(resuming:)``). Inlinable, with the suspension
        /// its own: each nonisolated async function a read passes through below its caller
        /// costs the task a switch back to its executor when it returns, and on a task that
        /// prefers a task executor each switch looks that preference up under the task's
        /// status lock (some 500 instructions per level, under callgrind).
        @inlinable
        public mutating func next() async throws -> Payload? {
            let subscription = subscription
            // Unsafe, not checked: resumed exactly once, by whoever takes it out of the stream
            // (an item, the end, a failure, a cancel), and a checked one allocates per call.
            return try await withUnsafeThrowingContinuation { subscription.read(resuming: $0) }
        }
    }
}

/// The reader's hold on one request-stream; cancels the stream when dropped before its end.
@usableFromInline
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

    /// What the reader gets now, if anything: the next item received (its consumption
    /// counted, REQUEST_N sent when due), the stream's end or failure; nil when the stream
    /// is live and nothing waits. One lookup, and the stream is read and changed in place in
    /// the table (``ClientStream/takeForReader(window:)``): a blocking reader asks at every
    /// poll, and a copy of the stream's value out and back costs retains and value-witness
    /// calls.
    private func take(_ core: ConnectionCore) -> Result<Payload?, TransportError>? {
        guard let index = core.streamIndex(streamID) else { return Self.gone(core) }
        return take(core, at: index)
    }

    /// What a reader of a stream no longer in the table gets: the connection's failure, or
    /// the end.
    private static func gone(_ core: ConnectionCore) -> Result<Payload?, TransportError> {
        if let failure = core.failure { return .failure(failure) }
        return .success(nil)
    }

    /// ``take(_:)`` of the stream at `index` in the table (nil: nothing taken, and the table
    /// unchanged, so `index` still holds it).
    private func take(_ core: ConnectionCore, at index: Dictionary<UInt32, ClientStream>.Index) -> Result<Payload?, TransportError>? {
        switch core.streams.values[index].takeForReader(window: core.configuration.streamWindow) {
        case .item(let item, let requestN)?:
            if let requestN { core.owedRequestN.append((streamID, requestN)) }
            core.sendOwed()
            return .success(item)
        case .failed(let failure)?:
            core.removeStream(at: index)
            return .failure(failure)
        case .ended?:
            core.removeStream(at: index)
            return .success(nil)
        case nil:
            return nil
        }
    }

    /// The async reader's read, its task suspended on `continuation`
    /// (``PayloadStream/Iterator/next()``): resumed at once with an item already received (or
    /// the stream's end or failure), else left with the stream for the next to arrive (the
    /// ticker reads for us, and resumes the task on the connection's executor when the task
    /// prefers it). A cancelled task gets `CancellationError` and the stream is cancelled: at
    /// once when it was cancelled before the call, else within the ticker's next full cycle
    /// (``ConnectionCore/cancelAbandonedReads()``), which watches the suspended reader's
    /// task. No cancellation handler: registering and removing one on the task around every
    /// read took the task's status lock some seven times per item (twice the instructions of
    /// the suspension and resumption themselves, measured under callgrind).
    @usableFromInline
    func read(resuming continuation: UnsafeContinuation<Payload?, any Error>) {
        let shared = shared
        let id = streamID
        var immediate: Result<Payload?, any Error>?
        var waiting = false
        // The reading task's cancellation read through `Task.isCancelled`, and its handle
        // fetched only when the read waits, to be kept with the continuation (the task is
        // suspended on it, so alive) for the ticker, which reads only its cancellation:
        // `UnsafeCurrentTask` is resilient, and each use of a handle outside the closure that
        // lends it (copied out, or read through its optional) costs metadata and value-witness
        // calls, some 250 instructions per read in all (callgrind). One lookup of the stream
        // serves the take and the wait.
        let cancelled = Task.isCancelled
        do throws(TransportError) {
            try shared.withCore { (core) throws(TransportError) in
                if cancelled {
                    core.cancel(id)
                    immediate = .failure(CancellationError())
                    return
                }
                core.pump { _, _ in }
                guard let index = core.streamIndex(id) else {
                    immediate = Self.gone(core).mapError { $0 as any Error }
                    return
                }
                if let taken = take(core, at: index) {
                    immediate = taken.mapError { $0 as any Error }
                    return
                }
                withUnsafeCurrentTask { task in core.streams.values[index].suspendReader(continuation, task: task) }
                core.asyncWaiters += 1
                waiting = true
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

    /// The blocking form of ``read(resuming:)``: see ``PayloadStream/nextBlocking()``.
    func nextBlocking() throws(TransportError) -> Payload? {
        let id = streamID
        var idle = 0
        // The stream is looked into at the first poll, then only when something may have
        // changed it (``ConnectionCore/streamChanges``): an empty poll is a pump alone.
        var looked: UInt?
        while true {
            var sleep: CarrierSleep?
            let outcome = try shared.withCore { (core) throws(TransportError) -> Result<Payload?, TransportError>? in
                // What was kept (by another caller's read) comes first; then this read hands
                // the next item straight here (``ConnectionCore/readerStreamID``).
                if looked != core.streamChanges {
                    looked = core.streamChanges
                    if let outcome = take(core) { return outcome }
                }
                core.readerStreamID = id
                let count = core.pump { _, _ in }
                core.readerStreamID = 0
                if let item = core.handedItem.take() { return .success(item) }
                if looked != core.streamChanges {
                    looked = core.streamChanges
                    if let outcome = take(core) { return outcome }
                }
                idle = count > 0 ? 0 : idle + 1
                if idle > min(core.configuration.spinPolls, 2_000) {
                    sleep = core.prepareIdleWait(timeout: .milliseconds(100))
                }
                return nil
            }
            if let outcome { return try outcome.get() }
            if let sleep {
                // Outside the mutex: callers sharing the connection go on meanwhile.
                sleep.sleep()
            } else if idle > 0 {
                ConnectionShared.pause(afterEmptyPolls: idle, pollsPerYield: shared.pollsPerYield)
            }
        }
    }
}
