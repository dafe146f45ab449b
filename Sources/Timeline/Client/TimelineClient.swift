import Frames
import LWWSet
import Transport

/// A client of a timeline server (`ringside serve`): inserts, deletes, selects and tails
/// over shared memory or TCP, with the same calls on both and either encoding.
///
/// Writes go fire-and-forget (returning once the frame is handed over) or acknowledged
/// (returning once the server has applied them, so a select sent afterwards sees them).
/// Every call blocks the calling thread until it is done, driving the connection itself
/// (no thread hop); tails are `AsyncSequence`s (``TimelineTail``), read on the connection's
/// own thread, with a blocking form too. In the binary encoding, a steady-state single
/// write of either kind allocates nothing: the request is written on the stack and the
/// answer read in place.
///
/// Keys and members are bytes: anything that is a `Collection` of `UInt8` (`"k".utf8`,
/// `[UInt8]`, `ArraySlice<UInt8>`), read in place when contiguous. On a JSON connection they
/// must be UTF-8.
///
/// ```swift
/// let client = try TimelineClient(connectingTo: .sharedMemory(name: "ringside"))
/// try client.insert(key: "timeline".utf8, score: 2, member: "post-2".utf8)
/// try client.insert(key: "timeline".utf8, score: 3, member: "post-3".utf8, delivery: .fireAndForget)
/// let page = try client.select(key: "timeline".utf8, offset: 0, limit: 10)   // highest first
/// let next = try client.range(key: "timeline".utf8, after: page.last, limit: 10)
/// for try await event in try client.tail(key: "timeline".utf8) { print(event) }
/// client.close()
/// ```
///
/// `Sendable`: calls from several threads are serialised by the connection.
public final class TimelineClient: Sendable {
    /// The settings it was made with.
    public let configuration: TimelineClientConfiguration
    /// The RSocket connection underneath.
    let connection: Connection

    /// Connects to the server at `endpoint` and sends SETUP with the configuration's
    /// encoding. Throws ``TimelineClientError/serverNotFound(_:)`` when nothing answers
    /// there; a refused SETUP surfaces as ``TimelineClientError/refused(_:)`` at the first
    /// call.
    public convenience init(
        connectingTo endpoint: TimelineEndpoint, configuration: TimelineClientConfiguration = TimelineClientConfiguration()
    ) throws(TimelineClientError) {
        do throws(TransportError) {
            switch endpoint {
            case .sharedMemory(let name):
                let carrier = try SharedMemoryClientCarrier(
                    configuration: SharedMemoryClientConfiguration(name: name, connectTimeout: configuration.connectTimeout))
                try self.init(carrier: carrier, configuration: configuration)
            case .tcp(let host, let port):
                let carrier = try TCPClientCarrier(
                    connectingTo: try TCPAddress(parsing: TimelineEndpoint.hostPort(host, port)), timeout: configuration.connectTimeout)
                try self.init(carrier: carrier, configuration: configuration)
            }
        } catch {
            throw TimelineClientError(error)
        }
    }

    /// Connects over `carrier` (already connected at the carrier level: shared memory, TCP
    /// or an in-process loopback) and sends SETUP.
    public init(
        carrier: sending any ClientCarrier, configuration: TimelineClientConfiguration = TimelineClientConfiguration()
    ) throws(TransportError) {
        self.configuration = configuration
        connection = try Connection(carrier: carrier, configuration: configuration.connection)
    }

    /// Closes the connection (idempotent): calls waiting now fail with
    /// ``TimelineClientError/closed``, tails end.
    public func close() {
        connection.close()
    }

    /// The executor of the client's connection thread: a task that reads a tail and prefers
    /// it (`addTask(executorPreference: client.executor)`) is resumed on the thread that
    /// read its event, with no hop to the global pool in between (a thread wake-up per
    /// event). Its code must be short and must never block (no blocking call of any client
    /// there): it runs between the connection's reads. See `ConnectionExecutor`.
    public var executor: any TaskExecutor { connection.executor }

    /// Why the connection is over (the server went away, it was closed), or nil while it works.
    public var failure: TimelineClientError? {
        connection.failure.map(TimelineClientError.init)
    }

    // MARK: Writes

    /// Inserts `member` at `score` under `key`: acknowledged (the default) or fire-and-forget.
    @inlinable
    public func insert(
        key: some Collection<UInt8>, score: Double, member: some Collection<UInt8>, delivery: TimelineDelivery = .acknowledged
    ) throws(TimelineClientError) {
        try write(.insert, key: key, score: score, member: member, delivery: delivery)
    }

    /// Deletes `member` at `score` under `key` (a tombstone, which hides older inserts);
    /// acknowledged (the default) or fire-and-forget.
    @inlinable
    public func delete(
        key: some Collection<UInt8>, score: Double, member: some Collection<UInt8>, delivery: TimelineDelivery = .acknowledged
    ) throws(TimelineClientError) {
        try write(.delete, key: key, score: score, member: member, delivery: delivery)
    }

    /// One write of `kind`: ``insert(key:score:member:delivery:)`` or ``delete(key:score:member:delivery:)``.
    /// Inlined where it is called, so the generic part (lending the bytes) is specialised
    /// there; the rest is the non-generic `write(_:keyView:score:memberView:delivery:)`.
    @inlinable
    public func write(
        _ kind: WriteKind, key: some Collection<UInt8>, score: Double, member: some Collection<UInt8>,
        delivery: TimelineDelivery = .acknowledged
    ) throws(TimelineClientError) {
        try ByteView.with(key, member) { (key, member) throws(TimelineClientError) in
            try write(kind, keyView: key, score: score, memberView: member, delivery: delivery)
        }
    }

    /// One write of `kind` from views of its key and member, valid during the call.
    @usableFromInline
    func write(
        _ kind: WriteKind, keyView key: UnsafeRawBufferPointer, score: Double, memberView member: UnsafeRawBufferPointer,
        delivery: TimelineDelivery
    ) throws(TimelineClientError) {
        switch configuration.encoding {
        case .binary:
            guard delivery == .fireAndForget else {
                try sendBinary(Self.checkedRequest(kind, key: key, score: score, member: member), delivery)
                return
            }
            // The bulk of a steady load: the checked fields written straight into the frame
            // by the single-write encoder. Handing the whole request on (some 15 words, copied
            // into the call and the encoding closure, then encoded through the switch over
            // every operation) cost some 130 instructions more per write (callgrind); only its
            // checks and four fields are used here, so it is never built in memory.
            let request = try Self.checkedRequest(kind, key: key, score: score, member: member)
            let (isDelete, key, score, member) = (request.operation == .delete, request.unsafeKey, request.score, request.unsafeMember)
            do throws(TransportError) {
                try connection.fireAndForget(dataCount: TimelineSingleWrite.encodedByteCount(keyCount: key.count, memberCount: member.count)) {
                    TimelineSingleWrite.unsafeEncode(isDelete: isDelete, key: key, score: score, member: member, into: $0)
                }
            } catch {
                throw TimelineClientError(error)
            }
        case .json:
            let key = try ByteView.text(key, "key")
            let member = try ByteView.text(member, "member")
            try sendJSON(
                kind == .insert ? .insert(key: key, score: score, member: member) : .delete(key: key, score: score, member: member),
                delivery)
        }
    }

    /// The binary request of one write of `kind`, its fields checked.
    @inline(__always)
    static func checkedRequest(
        _ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer
    ) throws(TimelineClientError) -> TimelineRequest {
        do throws(TimelineCodecError) {
            return kind == .insert ? try .insert(key: key, score: score, member: member) : try .delete(key: key, score: score, member: member)
        } catch {
            throw TimelineClientError(error)
        }
    }

    /// Writes every entry of `batch` as `kind`, in order, in one request (as one Roshi POST
    /// body): acknowledged (the default: once all are applied) or fire-and-forget.
    public func write(_ kind: WriteKind, batch: [KeyScoreMember], delivery: TimelineDelivery = .acknowledged) throws(TimelineClientError) {
        switch configuration.encoding {
        case .binary:
            let size = batch.reduce(0) { $0 + 12 + $1.key.count + $1.member.count }
            try withUnsafeTemporaryAllocation(byteCount: max(size, 1), alignment: 8) { (scratch) throws(TimelineClientError) in
                var writer = TimelineWritesWriter(scratch)
                for write in batch {
                    try ByteView.with(write.key, write.member) { (key, member) throws(TimelineClientError) in
                        do throws(TimelineCodecError) {
                            try writer.append(key: key, score: write.score, member: member)
                        } catch {
                            throw TimelineClientError(error)
                        }
                    }
                }
                try sendBinary(kind == .insert ? .insertBatch(writer.writes) : .deleteBatch(writer.writes), delivery)
            }
        case .json:
            var writes: [TimelineJSONWrite] = []
            writes.reserveCapacity(batch.count)
            for write in batch {
                let (key, member) = try ByteView.with(write.key, write.member) { (key, member) throws(TimelineClientError) in
                    (try ByteView.text(key, "key"), try ByteView.text(member, "member"))
                }
                writes.append(TimelineJSONWrite(key: key, score: write.score, member: member))
            }
            try sendJSON(kind == .insert ? .insertBatch(writes: writes) : .deleteBatch(writes: writes), delivery)
        }
    }

    // MARK: Sending

    /// Sends a binary request: fire-and-forget written straight into its frame, acknowledged
    /// written on the stack.
    func sendBinary(_ request: TimelineRequest, _ delivery: TimelineDelivery) throws(TimelineClientError) {
        if delivery == .fireAndForget {
            do throws(TransportError) {
                try connection.fireAndForget(dataCount: request.encodedByteCount) { request.unsafeEncode(into: $0) }
            } catch {
                throw TimelineClientError(error)
            }
            return
        }
        try withUnsafeTemporaryAllocation(byteCount: request.encodedByteCount, alignment: 8) { (buffer) throws(TimelineClientError) in
            request.unsafeEncode(into: buffer)
            try deliver(UnsafeRawBufferPointer(buffer), delivery)
        }
    }

    /// Sends a write's bytes and, when acknowledged, checks the answer is an ok.
    func deliver(_ data: UnsafeRawBufferPointer, _ delivery: TimelineDelivery) throws(TimelineClientError) {
        switch delivery {
        case .fireAndForget:
            do throws(TransportError) {
                try connection.fireAndForget(data: data)
            } catch {
                throw TimelineClientError(error)
            }
        case .acknowledged:
            let encoding = configuration.encoding
            let problem = try request(data) { view in self.okProblem(view.unsafeData, encoding) }
            if let problem { throw problem }
        }
    }

    /// Sends a request-response and reads the answer in place with `body`.
    func request<Result>(_ data: UnsafeRawBufferPointer, _ body: (PayloadView) -> Result) throws(TimelineClientError) -> Result {
        do throws(TransportError) {
            return try connection.requestResponse(data: data, body)
        } catch {
            throw TimelineClientError(error)
        }
    }

    /// Nil when `bytes` is an ok answer, otherwise what is wrong with it.
    func okProblem(_ bytes: UnsafeRawBufferPointer, _ encoding: TimelineEncoding) -> TimelineClientError? {
        switch encoding {
        case .binary:
            do throws(TimelineCodecError) {
                if case .ok = try TimelineResponse(decoding: bytes) { return nil }
                return .protocolViolation("a write was answered with records, not ok")
            } catch {
                return .protocolViolation("the answer to a write: \(error)")
            }
        case .json:
            do throws(TimelineClientError) {
                if case .ok = try decodeJSON(TimelineJSONResponse.self, bytes) { return nil }
                return .protocolViolation("a write was answered with records, not {\"ok\":true}")
            } catch {
                return error
            }
        }
    }
}
