import CRingside
import DrainLoop
import Frames

/// The client side of an RSocket connection over any ``ClientCarrier`` (shared memory, TCP,
/// loopback): SETUP with chosen MIME types, keepalive on its own schedule (a small ticker
/// thread), fire-and-forget, request-response and request-stream.
///
/// Blocking forms run on the calling thread, which drives the carrier itself (no thread
/// hop): it sends, then polls the carrier (spinning briefly, then sleeping in the carrier's
/// `waitForWork`) until the answer arrives, and hands the answer to a closure as a view, so
/// a steady-state round trip allocates nothing. Asynchronous forms (`async` request-response,
/// request-stream as an `AsyncSequence`) return copies, and the ticker reads for them; a
/// task that prefers the connection's ``executor`` is resumed on the ticker itself, without
/// a thread hop.
///
/// `Sendable`: callers are serialised by a mutex in process memory (a blocking call holds it
/// until its answer arrives). Back-pressure: a full carrier makes a sender wait (reading what
/// arrives meanwhile) up to ``ConnectionConfiguration/requestTimeout``, or answer
/// ``TransportError/wouldBlock`` in the non-blocking form; nothing is dropped silently.
///
/// ```swift
/// let connection = try Connection(carrier: carrier, configuration: ConnectionConfiguration(dataMIMEType: "application/json"))
/// try connection.fireAndForget(data: request)
/// let count = try connection.requestResponse(data: query) { answer in answer.data.count }
/// for try await item in try connection.requestStream(data: tail) { print(item.data) }
/// connection.close()
/// ```
public final class Connection: Sendable {
    /// The settings it was made with.
    public let configuration: ConnectionConfiguration
    /// The executor that runs jobs on the connection's own thread, right after the reads
    /// that resume them: a task reading a request-stream that prefers it holds each item
    /// without a thread hop (see ``ConnectionExecutor`` for what such a task may do).
    public let executor: ConnectionExecutor
    private let shared: ConnectionShared
    /// The connection's thread (internal for tests: its kernel thread id).
    let ticker: AgentRunner

    /// Connects over `carrier` (already connected at the carrier level): sends SETUP and
    /// starts the ticker. The server answers a refused SETUP with an ERROR, which the first
    /// call after it reports as ``TransportError/refused(_:)``.
    public init(carrier: sending any ClientCarrier, configuration: ConnectionConfiguration = ConnectionConfiguration()) throws(TransportError) {
        self.configuration = configuration
        let core = ConnectionCore(carrier: carrier, configuration: configuration)
        let shared = ConnectionShared(core: core)
        self.shared = shared
        let executor = ConnectionExecutor(shared: shared)
        self.executor = executor
        try shared.withCore { (core) throws(TransportError) in
            let setup = try core.frame { (writer) throws(FrameError) in
                try writer.writeSetup(
                    keepaliveInterval: ConnectionConfiguration.milliseconds(configuration.keepaliveInterval),
                    maxLifetime: ConnectionConfiguration.milliseconds(configuration.maxLifetime),
                    metadataMIMEType: configuration.metadataMIMEType, dataMIMEType: configuration.dataMIMEType)
            }
            try core.send(setup, wait: true, timeout: configuration.requestTimeout)
        }
        let interval = configuration.keepaliveInterval
        do {
            ticker = try AgentRunner(
                agent: ConnectionTicker(shared: shared, executor: executor, configuration: configuration),
                idle: { work in ConnectionTicker.idle(work, shared: shared, executor: executor, interval: interval) })
        } catch {
            executor.close()
            try? shared.withCore { (core) throws(TransportError) in core.fail(.closed) }
            throw .invalidArgument("cannot start the connection's ticker thread: \(error)")
        }
    }

    deinit { close() }

    /// Closes the connection (idempotent): pending calls fail with ``TransportError/closed``,
    /// the ticker stops, the carrier is closed; the ``executor``'s jobs go to the global
    /// concurrent executor from then on.
    public func close() {
        guard !shared.closing.exchange(true, ordering: .acquiringAndReleasing) else { return }
        ticker.stop()
        shared.tickerBell.doorbell.ring()
        // Called from a job on the ticker's own thread, the thread ends after this cycle.
        if ticker.threadID != ringside_thread_id() { ticker.join() }
        executor.close()
        try? shared.withCore { (core) throws(TransportError) in core.fail(.closed) }
    }

    /// Why the connection is over, or nil while it works (reads what arrived first).
    public var failure: TransportError? {
        (try? shared.withCore { (core) throws(TransportError) -> TransportError? in
            core.pump { _, _ in }
            return core.failure
        }) ?? nil
    }

    // MARK: Fire-and-forget

    /// Sends a REQUEST_FNF, waiting for room when the carrier is full.
    public func fireAndForget(data: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer? = nil) throws(TransportError) {
        try fireAndForget(data: data, metadata: metadata, wait: true)
    }

    /// Sends a REQUEST_FNF whose `dataCount` bytes of data `encode` writes in place, straight
    /// into the frame handed to the carrier (the data is not first built in a buffer of its
    /// own and copied; over shared memory the frame is the ring's record itself), waiting for
    /// room when the carrier is full. `encode` gets exactly `dataCount` bytes and must write
    /// them all, once per call; it must not call the connection.
    public func fireAndForget(dataCount: Int, encode: (UnsafeMutableRawBufferPointer) -> Void) throws(TransportError) {
        try shared.withCore { (core) throws(TransportError) in
            try core.checkOpen()
            try core.sendFireAndForget(dataCount: dataCount, wait: true, encode)
        }
    }

    /// Sends a REQUEST_FNF, or throws ``TransportError/wouldBlock`` at once when the carrier is
    /// full (nothing sent).
    public func tryFireAndForget(data: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer? = nil) throws(TransportError) {
        try fireAndForget(data: data, metadata: metadata, wait: false)
    }

    private func fireAndForget(data: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer?, wait: Bool) throws(TransportError) {
        let data = BorrowedPayload(metadata: metadata, data: data)
        // No read first: a fire-and-forget waits for nothing, and a full carrier makes the
        // send read what arrived while it waits for room.
        try shared.withCore { (core) throws(TransportError) in
            try core.checkOpen()
            try core.sendPayload(.fireAndForget, streamID: core.allocateStreamID(), metadata: data.metadata, data: data.data, wait: wait)
        }
    }

    // MARK: Request-response, blocking

    /// Sends a REQUEST_RESPONSE and waits on this thread for the answer, which `body` reads in
    /// place (valid during the call; do not call the connection from it). Throws
    /// ``TransportError/rejected(code:reason:)`` for an ERROR answer, `timedOut` after
    /// `timeout` (default: the configuration's; the stream is cancelled).
    @inlinable
    public func requestResponse<Result>(
        data: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer? = nil, timeout: Duration? = nil,
        _ body: (PayloadView) -> Result
    ) throws(TransportError) -> Result {
        // Inlined into the caller, so the generic part is specialised there; the work is done
        // by the non-generic `requestResponseInPlace`.
        var result: Result?
        try requestResponseInPlace(data: data, metadata: metadata, timeout: timeout) { view in result = body(view) }
        return result!
    }

    /// The blocking request-response: `body` is called exactly once, with the answer, unless
    /// the call throws.
    @usableFromInline
    func requestResponseInPlace(
        data: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer?, timeout: Duration?, _ body: (PayloadView) -> Void
    ) throws(TransportError) {
        let request = BorrowedPayload(metadata: metadata, data: data)
        let timeout = timeout ?? configuration.requestTimeout
        try shared.withCore { (core) throws(TransportError) in
            // No read before the send: the wait for the answer reads whatever came first
            // (a KEEPALIVE, a connection ERROR), and a read here would cost a poll per call.
            try core.checkOpen()
            let id = core.allocateStreamID()
            core.beginBlocking(id)
            do throws(TransportError) {
                try core.sendPayload(.requestResponse, streamID: id, metadata: request.metadata, data: request.data, wait: true)
            } catch {
                core.endBlocking()
                throw error
            }
            try Self.await(id, core: core, pollsPerYield: shared.pollsPerYield, timeout: timeout, body)
        }
    }

    /// Drives the carrier until the blocking stream `id` is answered: polls, spinning through
    /// ``ConnectionConfiguration/spinPolls`` empty polls (no clock read, no sleep; the
    /// processor yielded every `pollsPerYield` of them, as a blocking stream reader does),
    /// then hands over to ``awaitSleeping(_:core:timeout:_:)``.
    private static func await(
        _ id: UInt32, core: ConnectionCore, pollsPerYield: Int, timeout: Duration, _ body: (PayloadView) -> Void
    ) throws(TransportError) {
        var idle = 0
        var count = 0
        let spinPolls = core.configuration.spinPolls
        while idle < spinPolls {
            if try pollAnswer(id, core: core, read: &count, body) { return }
            idle = count > 0 ? 0 : idle + 1
            if idle > 0 { ConnectionShared.pause(afterEmptyPolls: idle, pollsPerYield: pollsPerYield) }
        }
        try awaitSleeping(id, core: core, timeout: timeout, body)
    }

    /// The wait once the spinning is over, out of line (the deadline is a
    /// `ContinuousClock.Instant`, a resilient type whose locals cost metadata calls): each
    /// empty poll sleeps in the carrier's `waitForWork` (at most 100 ms) until the deadline.
    private static func awaitSleeping(
        _ id: UInt32, core: ConnectionCore, timeout: Duration, _ body: (PayloadView) -> Void
    ) throws(TransportError) {
        let deadline = ContinuousClock.now + timeout
        var count = 0
        while true {
            if try pollAnswer(id, core: core, read: &count, body) { return }
            if count > 0 { continue }
            let now = ContinuousClock.now
            guard now < deadline else {
                core.cancel(id)
                throw .timedOut("no answer on stream \(id)")
            }
            do {
                try core.carrier.waitForWork(timeout: min(deadline - now, .milliseconds(100)))
            } catch {
                core.fail(error)
            }
        }
    }

    /// One poll for the answer on the blocking stream `id`: true once `body` had it; throws
    /// the stream's failure, or the connection's once a poll reads nothing. `count` gets the
    /// frames read.
    @inline(__always)
    private static func pollAnswer(
        _ id: UInt32, core: ConnectionCore, read count: inout Int, _ body: (PayloadView) -> Void
    ) throws(TransportError) -> Bool {
        var answered = false
        var problem: TransportError?
        count = core.pump { stream, event in
            guard stream == id else { return }
            switch event {
            case .payload(let view):
                body(view)
                answered = true
            case .failure(let error): problem = error
            }
        }
        if answered { return true }
        if let problem { throw problem }
        if count == 0, let failure = core.failure { throw failure }
        return false
    }

    // MARK: Asynchronous forms

    /// Sends a REQUEST_RESPONSE and suspends until the answer (a copy) arrives; throws
    /// `timedOut` after ``ConnectionConfiguration/requestTimeout`` (the stream is cancelled).
    public func requestResponse(data: [UInt8], metadata: [UInt8]? = nil) async throws(TransportError) -> Payload {
        let shared = shared
        do {
            // Unsafe, not checked: every path below resumes it exactly once (whoever removes
            // the stream from the table), and a checked one allocates per call.
            let answer = try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Payload?, any Error>) in
                do {
                    // Once registered, the continuation is resumed by whoever ends the stream
                    // (an answer, or the connection failing while the request is sent).
                    try shared.withCore { (core) throws(TransportError) in
                        try core.checkOpen()
                        let id = core.allocateStreamID()
                        var stream = ClientStream(kind: .response)
                        stream.continuation = continuation
                        stream.deadline = ConnectionConfiguration.deadline(after: core.configuration.requestTimeout)
                        core.addStream(stream, id: id)
                        core.asyncWaiters += 1
                        do throws(TransportError) {
                            try Self.sendRequest(core, .requestResponse, id, data: data, metadata: metadata)
                        } catch {
                            if core.removeStream(id) != nil {
                                core.asyncWaiters -= 1
                                continuation.resume(throwing: error)
                            }
                        }
                    }
                    shared.tickerBell.doorbell.ring()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            return answer ?? Payload(data: [])
        } catch let error as TransportError {
            throw error
        } catch {
            throw .closed
        }
    }

    /// Sends a REQUEST_STREAM asking for ``ConnectionConfiguration/streamWindow`` items (and
    /// more as they are consumed: demand becomes REQUEST_N); the items arrive as the returned
    /// sequence. Dropping the sequence, or cancelling the task reading it, cancels the stream.
    public func requestStream(data: [UInt8], metadata: [UInt8]? = nil) throws(TransportError) -> PayloadStream {
        let window = configuration.streamWindow
        let id = try shared.withCore { (core) throws(TransportError) -> UInt32 in
            try core.checkOpen()
            let id = core.allocateStreamID()
            core.addStream(ClientStream(kind: .stream), id: id)
            do throws(TransportError) {
                try Self.sendRequest(core, .requestStream(initialRequestN: window), id, data: data, metadata: metadata)
            } catch {
                core.removeStream(id)
                throw error
            }
            return id
        }
        return PayloadStream(subscription: StreamSubscription(shared: shared, streamID: id))
    }

    private static func sendRequest(
        _ core: ConnectionCore, _ kind: PayloadFrameKind, _ id: UInt32, data: [UInt8], metadata: [UInt8]?
    ) throws(TransportError) {
        var problem: TransportError?
        data.withUnsafeBytes { data in
            guard let metadata else {
                do throws(TransportError) {
                    try core.sendPayload(kind, streamID: id, metadata: nil, data: data, wait: true)
                } catch {
                    problem = error
                }
                return
            }
            metadata.withUnsafeBytes { metadata in
                do throws(TransportError) {
                    try core.sendPayload(kind, streamID: id, metadata: metadata, data: data, wait: true)
                } catch {
                    problem = error
                }
            }
        }
        if let problem { throw problem }
    }
}

/// A caller's request bytes carried into the connection's mutex. @unchecked Sendable: they
/// are only read during the call that lends them.
struct BorrowedPayload: @unchecked Sendable {
    let metadata: UnsafeRawBufferPointer?
    let data: UnsafeRawBufferPointer
}
