import Posix
import Frames

/// The state of a client connection: its carrier, its streams, its buffers. Every method
/// runs with the connection's mutex held (``ConnectionShared``), by whichever thread drives
/// the carrier at the time.
///
/// Its stored `var`s are `@exclusivity(unchecked)`: each access to a class's stored `var`
/// pays a run-time exclusivity check (a call into the runtime, some 25 instructions), and a
/// poll makes about six of them, an item handed to a waiting reader a dozen more (callgrind,
/// a lab subscriber: about 76 instructions of checks per empty poll). Safe: the mutex
/// serialises the threads, and no access to one of them spans a call that touches it again
/// (each is a plain read or write, or a change of a table that calls nothing reaching the
/// table).
final class ConnectionCore {
    let carrier: any ClientCarrier
    /// The carrier, when it is the shared-memory one: fire-and-forget frames are written
    /// straight into its ring record through a direct call, which the compiler specialises
    /// for the closure that writes the frame's header (through the protocol, the witness,
    /// the carrier's own entry and the closure's thunks cost some 60 instructions more per
    /// write, callgrind).
    /// Unretained, used through a guaranteed reference: `carrier` holds it, and a strong
    /// reference costs a retain and a release per write.
    let sharedMemory: Unmanaged<SharedMemoryClientCarrier>?
    let configuration: ConnectionConfiguration
    /// Why the connection is over, once it is.
    @exclusivity(unchecked) var failure: TransportError?
    /// The next stream id to try (odd).
    @exclusivity(unchecked) var nextStreamID: UInt32 = 1
    /// Live streams by id, but for the blocking call's. Streams are added and removed only
    /// through ``addStream(_:id:)``, ``setStream(_:_:)`` and ``removeStream(_:)`` / ``removeStream(at:)`` (and
    /// ``fail(_:)``), which clear ``foundStream``; a stream's value changes in place.
    @exclusivity(unchecked) var streams: [UInt32: ClientStream] = [:]
    /// The stream ``streamIndex(_:)`` found last: its id and its index in ``streams``. A
    /// tail's item is looked up at its arrival and again at its reader's read, and each
    /// lookup hashed the id (some 115 instructions). An index outlives changes of a stream's
    /// value in place, not the table's gaining or losing a stream (a removal moves entries;
    /// a growth moves them all): each of those clears this.
    @exclusivity(unchecked) var foundStream: (id: UInt32, index: Dictionary<UInt32, ClientStream>.Index)?
    /// The blocking call's stream id (0: none), its stream kept out of the table in
    /// ``blockingStream``: there is at most one, since a blocking call holds the mutex until
    /// it is answered. Two plain fields, not an optional tuple: a tuple holding the stream
    /// is copied through generic value witnesses, several times per round trip.
    @exclusivity(unchecked) var blockingID: UInt32 = 0
    /// The blocking call's stream (meaningful while ``blockingID`` is not 0).
    @exclusivity(unchecked) var blockingStream = ClientStream(kind: .blocking)
    /// Async callers suspended until frames arrive (the ticker thread pumps for them).
    @exclusivity(unchecked) var asyncWaiters = 0
    /// Where frames are written before the carrier copies them.
    let scratch: UnsafeMutableRawBufferPointer
    /// When frames were last seen arriving (by the ticker, which reads the clock anyway).
    @exclusivity(unchecked) var lastReceived: ContinuousClock.Instant
    /// Frames arrived since the ticker last looked (spares a clock read per receive).
    @exclusivity(unchecked) var receivedSinceTick = false
    /// Bytes of fragments being reassembled.
    @exclusivity(unchecked) var reassemblyBytes = 0
    /// A reassembled answer handed out by the last dispatch, freed at the next.
    @exclusivity(unchecked) var retired: FragmentAssembly?
    /// The server asked for a KEEPALIVE answer not yet sent.
    @exclusivity(unchecked) var keepaliveOwed = false
    /// REQUEST_N frames owed to streams (stream id, n), sent after the current receive:
    /// nothing is sent from inside a carrier's receive handler.
    @exclusivity(unchecked) var owedRequestN: [(streamID: UInt32, n: UInt32)] = []
    /// Inside `carrier.receive` (dispatching): the carrier must not be closed from there.
    @exclusivity(unchecked) var receiving = false
    /// Counts the events that may change what a stream's reader finds (frames read, a
    /// stream cancelled, the connection failed; wrapping): a blocking reader looks into its
    /// stream only when this moved since its last look, so an empty poll costs no lookup.
    @exclusivity(unchecked) var streamChanges: UInt = 0
    /// The stream whose blocking reader is reading the carrier now (0: none): its next plain
    /// item, when nothing is kept before it, goes to ``handedItem`` instead of the stream's
    /// buffer (one copy, no buffer, no second lookup), and this goes back to 0.
    @exclusivity(unchecked) var readerStreamID: UInt32 = 0
    /// The item handed to the blocking reader of ``readerStreamID`` during its read.
    @exclusivity(unchecked) var handedItem: Payload?

    init(carrier: any ClientCarrier, configuration: ConnectionConfiguration) {
        self.carrier = carrier
        sharedMemory = (carrier as? SharedMemoryClientCarrier).map(Unmanaged.passUnretained)
        self.configuration = configuration
        scratch = .allocate(byteCount: min(configuration.maxOutgoingFrameLength, carrier.maxFrameLength), alignment: 64)
        lastReceived = .now
        streams.reserveCapacity(64)
    }

    deinit {
        retired?.deallocate()
        for stream in streams.values { stream.assembly?.deallocate() }
        scratch.deallocate()
    }

    /// Throws why the connection is over, if it is.
    func checkOpen() throws(TransportError) {
        if let failure { throw failure }
    }

    // MARK: Sending

    /// Writes one small frame into the scratch buffer and returns it.
    func frame(_ write: (inout FrameWriter) throws(FrameError) -> Void) throws(TransportError) -> UnsafeRawBufferPointer {
        var writer = FrameWriter(scratch)
        do {
            try write(&writer)
        } catch {
            throw .invalidArgument("\(error)")
        }
        return writer.written
    }

    /// Hands a frame to the carrier; on `wouldBlock` waits for room (reading what arrives
    /// meanwhile) for up to `timeout`, or throws `.wouldBlock` when `wait` is false.
    func send(_ frame: UnsafeRawBufferPointer, wait: Bool, timeout: Duration) throws(TransportError) {
        // The first attempt touches no clock and no `ContinuousClock.Instant` (a resilient
        // type: every local of it costs metadata and value-witness calls): only a full
        // carrier gets to the waiting loop.
        if try offer(frame) { return }
        guard wait else { throw .wouldBlock }
        try sendWaiting(frame, timeout: timeout)
    }

    /// One attempt to hand a frame to the carrier: whether it took it (false: full).
    @inline(__always)
    func offer(_ frame: UnsafeRawBufferPointer) throws(TransportError) -> Bool {
        try checkOpen()
        let outcome: SendOutcome
        do {
            outcome = try carrier.send(frame)
        } catch {
            failAfterReading(error)
            throw failure!
        }
        return try accepted(outcome)
    }

    /// One attempt to have the shared-memory carrier write a frame of `count` bytes in place
    /// with `encode` (``SharedMemoryClientCarrier/write(count:_:)``): whether it took it
    /// (false: full, nothing written), or nil when the carrier is another. The caller checked
    /// the connection is open.
    @inline(__always)
    func offerInPlace(count: Int, _ encode: (UnsafeMutableRawBufferPointer) -> Void) throws(TransportError) -> Bool? {
        guard let sharedMemory else { return nil }
        let outcome = sharedMemory._withUnsafeGuaranteedRef { carrier in
            Result { () throws(TransportError) in try carrier.write(count: count, encode) }
        }
        switch outcome {
        case .success(let outcome):
            return try accepted(outcome)
        case .failure(let error):
            failAfterReading(error)
            throw failure!
        }
    }

    /// Whether the carrier took a frame (false: full); fails the connection when it was closed.
    @inline(__always)
    func accepted(_ outcome: SendOutcome) throws(TransportError) -> Bool {
        switch outcome {
        case .sent:
            return true
        case .closed:
            failAfterReading(.serverGone("the connection was closed"))
            throw failure!
        case .wouldBlock:
            return false
        }
    }

    /// Waits for room for a frame the carrier refused, reading what arrives meanwhile, for up
    /// to `timeout`.
    func sendWaiting(_ frame: UnsafeRawBufferPointer, timeout: Duration) throws(TransportError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            if pumpWhileSending() == 0 {
                do { try carrier.waitForWork(timeout: .milliseconds(1)) } catch { fail(error); throw error }
            }
            if try offer(frame) { return }
            guard ContinuousClock.now < deadline else { throw .timedOut("no room to send") }
        }
    }

    /// Sends a payload as one or more frames. `wait` applies to the first frame; once one
    /// fragment is out the rest are always waited for (half a payload is never left behind).
    func sendPayload(
        _ kind: PayloadFrameKind, streamID: UInt32, metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer, wait: Bool
    ) throws(TransportError) {
        let timeout = configuration.requestTimeout
        var problem: TransportError?
        var first = true
        // Unretained, used through a guaranteed reference: the closure runs inside this
        // method, while `self` is alive. A strong capture, and an unowned(unsafe) one too
        // (the compiler copies it to a strong reference for the call), cost a retain and a
        // release per frame: two locked instructions, the first of which waits for the
        // frame's stores into the ring to drain.
        let core = Unmanaged.passUnretained(self)
        do {
            try FrameFragmenter.write(
                kind, streamID: streamID, metadata: metadata, data: data, maxFrameLength: carrier.maxFrameLength, scratch: scratch
            ) { frame in
                core._withUnsafeGuaranteedRef { core in
                    do throws(TransportError) {
                        try core.send(frame, wait: wait || !first, timeout: timeout)
                    } catch {
                        problem = error
                        return false
                    }
                    first = false
                    return true
                }
            }
        } catch {
            throw .invalidArgument("\(error)")
        }
        if let problem { throw problem }
    }

    /// Sends a REQUEST_FNF whose `dataCount` bytes of data `encode` writes in place, right
    /// after the frame's header: on the shared-memory carrier straight into its ring record,
    /// otherwise (and when that ring is full, to wait with) in `scratch`, so the data is
    /// never copied on its way to the carrier. Data too long for one frame is written aside
    /// and fragmented as ``sendPayload(_:streamID:metadata:data:wait:)`` fragments any
    /// payload. The caller checked the connection is open. Inlined into
    /// ``Connection/fireAndForget(dataCount:encode:)``, its one caller: a producer's every
    /// write passes through both.
    @inline(__always)
    func sendFireAndForget(dataCount: Int, wait: Bool, _ encode: (UnsafeMutableRawBufferPointer) -> Void) throws(TransportError) {
        let streamID = allocateStreamID()
        let frameCount = FrameHeader.byteCount + dataCount
        guard frameCount <= scratch.count else {
            try withUnsafeTemporaryAllocation(byteCount: dataCount, alignment: 8) { (data) throws(TransportError) in
                encode(data)
                try sendPayload(.fireAndForget, streamID: streamID, metadata: nil, data: UnsafeRawBufferPointer(data), wait: wait)
            }
            return
        }
        // The id is odd and below `FrameHeader.maxStreamID` (``allocateStreamID()``), the type
        // takes no flags: the header's fields fit, and it is written unchecked.
        let header = FrameHeader(streamID: streamID, type: .requestFireAndForget)
        let written = try offerInPlace(count: frameCount) { frame in
            header.unsafeEncode(into: frame, at: 0)
            encode(UnsafeMutableRawBufferPointer(rebasing: frame[FrameHeader.byteCount...]))
        }
        if written == true { return }
        if written == false && !wait { throw .wouldBlock }
        let frame = UnsafeMutableRawBufferPointer(rebasing: scratch[..<frameCount])
        header.unsafeEncode(into: frame, at: 0)
        encode(UnsafeMutableRawBufferPointer(rebasing: frame[FrameHeader.byteCount...]))
        try send(UnsafeRawBufferPointer(frame), wait: wait, timeout: configuration.requestTimeout)
    }

    /// Reads what arrived while waiting for room to send (the peer may be waiting for us to
    /// read); answers for a blocking call cannot be among it, since that call's request is
    /// still being sent. Owed frames (a KEEPALIVE answer, REQUEST_N) stay owed: the frame
    /// waiting for room lives in `scratch`, which writing them would overwrite (the waiting
    /// frame would then go out as a copy of the owed one, and its payload would be lost).
    @discardableResult
    func pumpWhileSending() -> Int {
        pump(sendingOwed: false) { _, _ in }
    }

    /// The stream `id`, wherever it is kept.
    func stream(_ id: UInt32) -> ClientStream? {
        if blockingID != 0 && blockingID == id { return blockingStream }
        return streams.isEmpty ? nil : streams[id]
    }

    /// Stores stream `id` back (nil: forgets it).
    func setStream(_ id: UInt32, _ stream: ClientStream?) {
        if blockingID != 0 && blockingID == id {
            if let stream {
                blockingStream = stream
            } else {
                endBlocking()
            }
        } else {
            foundStream = nil
            streams[id] = stream
        }
    }

    /// Adds stream `id`, forgetting ``foundStream``: the table may move its entries.
    @inline(__always)
    func addStream(_ stream: ClientStream, id: UInt32) {
        foundStream = nil
        streams[id] = stream
    }

    /// Removes stream `id`, returning it (nil: there was none), forgetting ``foundStream``.
    @inline(__always)
    @discardableResult
    func removeStream(_ id: UInt32) -> ClientStream? {
        foundStream = nil
        return streams.removeValue(forKey: id)
    }

    /// Removes the stream at `index` of ``streams``, forgetting ``foundStream``.
    @inline(__always)
    func removeStream(at index: Dictionary<UInt32, ClientStream>.Index) {
        foundStream = nil
        streams.remove(at: index)
    }

    /// The index of stream `id` in ``streams``, if it is there: the one found last when it
    /// is that stream's (``foundStream``), else looked up and remembered.
    @inline(__always)
    func streamIndex(_ id: UInt32) -> Dictionary<UInt32, ClientStream>.Index? {
        if let found = foundStream, found.id == id { return found.index }
        guard !streams.isEmpty, let index = streams.index(forKey: id) else { return nil }
        foundStream = (id, index)
        return index
    }

    /// Opens the blocking call's stream `id`.
    func beginBlocking(_ id: UInt32) {
        // Only the id and the reassembly matter for a blocking stream, and `endBlocking`
        // cleared the reassembly: no stream value is built per call.
        blockingID = id
    }

    /// Forgets the blocking call's stream (its reassembly, if any, is the caller's to free).
    func endBlocking() {
        blockingID = 0
        blockingStream.assembly = nil
    }

    /// A free odd stream id. Inlined: a fire-and-forget takes one per write, and with no
    /// stream open (a producer's connection) it is a counter's step.
    @inline(__always)
    func allocateStreamID() -> UInt32 {
        while true {
            let id = nextStreamID
            nextStreamID = nextStreamID >= FrameHeader.maxStreamID - 1 ? 1 : nextStreamID + 2
            if streams.isEmpty || streams[id] == nil { return id }
        }
    }

    /// CANCEL for a stream the caller gave up on; forgets it.
    func cancel(_ id: UInt32) {
        guard let stream = stream(id) else { return }
        streamChanges &+= 1
        setStream(id, nil)
        dropAssembly(stream)
        if stream.continuation != nil { asyncWaiters -= 1 }
        stream.continuation?.resume(throwing: CancellationError())
        guard failure == nil, !stream.finished, stream.failure == nil,
              let bytes = try? frame({ (writer) throws(FrameError) in try writer.writeCancel(streamID: id) }) else { return }
        try? send(bytes, wait: true, timeout: .milliseconds(100))
    }

    /// Sends a KEEPALIVE (asking for an answer when `respond`), without waiting for room.
    func sendKeepalive(respond: Bool) {
        guard failure == nil,
              let bytes = try? frame({ (writer) throws(FrameError) in try writer.writeKeepalive(respond: respond) }) else { return }
        try? send(bytes, wait: false, timeout: .zero)
    }

    // MARK: Receiving

    /// Reads what has arrived and dispatches it; frames for a blocking stream go to
    /// `blocking` (inline, views valid during the call); then, unless `sendingOwed` is false,
    /// sends the frames owed. Returns the frames read.
    @discardableResult
    func pump(sendingOwed: Bool = true, _ blocking: (UInt32, BlockingEvent) -> Void) -> Int {
        guard failure == nil else { return 0 }
        let count: Int
        receiving = true
        do {
            count = try carrier.receive(limit: 64) { bytes in dispatch(bytes, blocking) }
        } catch {
            receiving = false
            fail(error)
            return 0
        }
        receiving = false
        // A frame that ended the connection (an ERROR on stream 0) failed it inside the
        // handler; the carrier is closed now that its receive has returned.
        if failure != nil {
            carrier.close()
            return count
        }
        if count > 0 {
            receivedSinceTick = true
            streamChanges &+= 1
        }
        // Two reads first: `sendOwed` writes the flags it looks at (a run-time exclusivity
        // check each), and a spinning caller pumps far more often than anything is owed.
        if sendingOwed && (keepaliveOwed || !owedRequestN.isEmpty) { sendOwed() }
        return count
    }

    /// Sends the KEEPALIVE answer and REQUEST_N frames owed, without waiting for room (what
    /// does not fit stays owed).
    func sendOwed() {
        if keepaliveOwed {
            keepaliveOwed = false
            sendKeepalive(respond: false)
        }
        guard !owedRequestN.isEmpty else { return }
        while let (id, n) = owedRequestN.first, failure == nil {
            guard let bytes = try? frame({ (writer) throws(FrameError) in try writer.writeRequestN(streamID: id, requestN: n) }) else {
                owedRequestN.removeFirst()
                continue
            }
            do {
                try send(bytes, wait: false, timeout: .zero)
            } catch {
                return
            }
            owedRequestN.removeFirst()
        }
    }

    /// One frame from the server.
    func dispatch(_ bytes: UnsafeRawBufferPointer, _ blocking: (UInt32, BlockingEvent) -> Void) {
        if let retired {
            retired.deallocate()
            self.retired = nil
        }
        guard failure == nil else { return }
        let frame: FrameReader
        do {
            frame = try FrameReader(validating: bytes)
        } catch {
            fail(.protocolViolation("malformed frame from the server: \(error)"))
            return
        }
        let id = frame.streamID
        guard id != 0 else {
            switch frame.fields {
            case .keepalive: if frame.respond { keepaliveOwed = true }
            case .error(let code): fail(Self.connectionFailure(code, reason: String(decoding: frame.unsafeData, as: UTF8.self)))
            default: break
            }
            return
        }
        if id == blockingID, blockingStream.assembly == nil, !frame.follows, case .payload = frame.fields {
            // The blocking call's whole answer, the round trip's common case: handed on
            // without copying its stream state (as `deliver` does for a blocking stream).
            endBlocking()
            blocking(id, .payload(frame.next ? PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData) : PayloadView(metadata: nil, data: .empty)))
            return
        }
        if case .payload = frame.fields, frame.next, !frame.follows, !frame.complete, deliverStreamItem(id, frame) { return }
        guard var stream = stream(id) else { return }
        switch frame.fields {
        case .payload:
            var view = PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData)
            if stream.assembly != nil || frame.follows {
                let incoming = (frame.unsafeMetadata?.count ?? 0) + frame.unsafeData.count
                guard reassemblyBytes + incoming <= configuration.maxReassemblyBytes else {
                    fail(.protocolViolation("fragmented answers exceed \(configuration.maxReassemblyBytes) bytes"))
                    return
                }
                reassemblyBytes += incoming
                if stream.assembly == nil {
                    stream.assembly = FragmentAssembly(metadata: frame.unsafeMetadata, data: frame.unsafeData)
                } else {
                    stream.assembly!.append(metadata: frame.unsafeMetadata, data: frame.unsafeData)
                }
                if frame.follows {
                    setStream(id, stream)
                    return
                }
                let assembly = stream.assembly!
                stream.assembly = nil
                reassemblyBytes -= assembly.byteCount
                retired = assembly
                view = assembly.payload
            }
            deliver(id, stream, view, next: frame.next, complete: frame.complete, blocking)
        case .error(let code):
            setStream(id, stream)
            failStream(id, .rejected(code: code.rawValue, reason: String(decoding: frame.unsafeData, as: UTF8.self)), blocking)
        default:
            break
        }
    }

    /// A request-stream's item in one frame, neither fragmented nor completing it (a tail
    /// event, the common case), handed on where the stream is kept in the table: one lookup,
    /// and the stream's value is neither copied out nor written back
    /// (``ClientStream/deliverPlainItem(_:window:)`` runs in place; the general path costs
    /// two lookups and two copies of it). False when the stream is not such a stream (or is
    /// reassembling): the general path then handles the frame.
    private func deliverStreamItem(_ id: UInt32, _ frame: FrameReader) -> Bool {
        guard let index = streamIndex(id) else { return false }
        let view = PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData)
        switch streams.values[index].deliverPlainItem(view, window: configuration.streamWindow, toReader: id == readerStreamID) {
        case .notPlain:
            return false
        case .kept:
            return true
        case .handed(let item, let requestN):
            readerStreamID = 0
            handedItem = item
            if let requestN { owedRequestN.append((id, requestN)) }
            return true
        case .waiter(let continuation, let item, let requestN):
            asyncWaiters -= 1
            continuation.resume(returning: item)
            if let requestN { owedRequestN.append((id, requestN)) }
            return true
        }
    }

    /// A whole answer (or a bare completion) on a stream.
    func deliver(
        _ id: UInt32, _ stream: ClientStream, _ view: PayloadView, next: Bool, complete: Bool,
        _ blocking: (UInt32, BlockingEvent) -> Void
    ) {
        var stream = stream
        switch stream.kind {
        case .blocking:
            setStream(id, nil)
            blocking(id, .payload(next ? view : PayloadView(metadata: nil, data: .empty)))
        case .response:
            setStream(id, nil)
            if stream.continuation != nil { asyncWaiters -= 1 }
            stream.continuation?.resume(returning: next ? Payload(copying: view) : Payload(data: []))
        case .stream:
            if next {
                if let continuation = stream.continuation {
                    stream.continuation = nil
                    asyncWaiters -= 1
                    continuation.resume(returning: Payload(copying: view))
                    noteConsumed(id, &stream)
                } else {
                    stream.keep(Payload(copying: view))
                }
            }
            if complete {
                stream.finished = true
                if let continuation = stream.continuation, !stream.hasItem {
                    stream.continuation = nil
                    asyncWaiters -= 1
                    continuation.resume(returning: nil)
                    setStream(id, nil)
                    return
                }
            }
            setStream(id, stream)
        }
    }

    /// A stream failed: its waiter hears why.
    func failStream(_ id: UInt32, _ error: TransportError, _ blocking: (UInt32, BlockingEvent) -> Void) {
        guard var stream = stream(id) else { return }
        dropAssembly(stream)
        stream.assembly = nil
        switch stream.kind {
        case .blocking:
            setStream(id, nil)
            blocking(id, .failure(error))
        case .response, .stream:
            if let continuation = stream.continuation {
                asyncWaiters -= 1
                setStream(id, nil)
                continuation.resume(throwing: error)
            } else if stream.kind == .stream {
                stream.failure = error
                setStream(id, stream)
            } else {
                setStream(id, nil)
            }
        }
    }

    /// Fails the asynchronous request-responses whose deadline has passed, cancelling them.
    func expireResponses() {
        let now = Sys.monotonicNanoseconds()
        let expired = streams.compactMap { id, stream in
            stream.kind == .response && stream.deadline.map { now >= $0 } == true ? id : nil
        }
        for id in expired {
            failStream(id, .timedOut("no answer on stream \(id)")) { _, _ in }
            if let bytes = try? frame({ (writer) throws(FrameError) in try writer.writeCancel(streamID: id) }) {
                try? send(bytes, wait: false, timeout: .zero)
            }
        }
    }

    /// Cancels each request-stream whose suspended reader's task was cancelled: the reader
    /// gets `CancellationError`, the server a CANCEL. The ticker calls this on its full cycles
    /// while async callers wait (within its longest sleep, 2 ms, of the cancellation): a
    /// cancellation handler around every read instead cost each item its registration and
    /// removal on the task, several turns of the task's status lock. Each stream is looked at
    /// in place in the table (``ClientStream/readerWasCancelled()``): a search over copies of
    /// the streams' values cost some 700 instructions per stream, 11,000 per full cycle of a
    /// connection with 16 tails, during which a frame that arrives waits.
    func cancelAbandonedReads() {
        var index = streams.startIndex
        while index != streams.endIndex {
            guard streams.values[index].readerWasCancelled() else {
                streams.formIndex(after: &index)
                continue
            }
            // Cancelling removes the stream: the walk starts over (a cancelled read is rare).
            cancel(streams.keys[index])
            index = streams.startIndex
        }
    }

    /// A stream item was consumed: ask for more once half the window is used.
    func noteConsumed(_ id: UInt32, _ stream: inout ClientStream) {
        if let n = stream.noteConsumed(window: configuration.streamWindow) { owedRequestN.append((id, n)) }
    }

    /// The carrier refused a send because the connection is gone: first read what the server
    /// sent before it went (its ERROR says why, as a refused SETUP does), then fail with
    /// `error` if that did not already say.
    func failAfterReading(_ error: TransportError) {
        while failure == nil, !receiving, pump({ _, _ in }) > 0 {}
        fail(error)
    }

    /// The connection is over: every waiter hears why; the carrier is closed. A
    /// request-stream whose reader has not yet taken all it received keeps it: the reader
    /// gets those items first, then the stream's end when the responder had completed it (a
    /// server's clean stop completes its tails before it closes the connection), or the
    /// stream's own ERROR when one came, else this failure.
    func fail(_ error: TransportError) {
        guard failure == nil else { return }
        failure = error
        streamChanges &+= 1
        for (_, stream) in streams {
            dropAssembly(stream)
            stream.continuation?.resume(throwing: error)
        }
        foundStream = nil
        streams = streams.filter { _, stream in
            stream.kind == .stream && stream.continuation == nil && (stream.hasItem || stream.finished || stream.failure != nil)
        }
        for index in streams.indices where !streams.values[index].finished && streams.values[index].failure == nil {
            streams.values[index].failure = error
        }
        if blockingID != 0 { dropAssembly(blockingStream) }
        endBlocking()
        asyncWaiters = 0
        // Never from inside the carrier's receive handler (the carrier is mid-read); `pump`
        // closes it once the receive returns.
        if !receiving { carrier.close() }
    }

    /// Frees a stream's partial reassembly.
    func dropAssembly(_ stream: ClientStream) {
        if let assembly = stream.assembly {
            reassemblyBytes -= assembly.byteCount
            assembly.deallocate()
        }
    }

    /// How an ERROR on stream 0 ends the connection.
    static func connectionFailure(_ code: ErrorCode, reason: String) -> TransportError {
        switch code {
        case .invalidSetup, .unsupportedSetup, .rejectedSetup, .rejectedResume: .refused("\(code): \(reason)")
        case .connectionClose: .serverGone("\(code): \(reason)")
        default: .rejected(code: code.rawValue, reason: reason)
        }
    }
}
