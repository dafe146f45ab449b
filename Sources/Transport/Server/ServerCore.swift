import Frames
import Glibc
import ShmRing
import Synchronization

/// One connection's state in the server: a class, so that the session is changed in place
/// where the dictionary keeps it (a struct value taken out of a dictionary and written back
/// would copy the session's stream table on every frame).
final class ServerSession {
    /// Its session, in memory of its own that lives as long as this object: changed in place
    /// through the pointer, without the run-time exclusivity check that every access to a
    /// class's stored `var` pays (twice per frame). Safe: only the poll thread touches it,
    /// and no session call re-enters another.
    let unsafeMachine: UnsafeMutablePointer<SessionStateMachine>
    /// How the carrier describes the peer.
    let peer: String

    init(machine: SessionStateMachine, peer: String) {
        unsafeMachine = .allocate(capacity: 1)
        unsafeMachine.initialize(to: machine)
        self.peer = peer
    }

    deinit {
        unsafeMachine.deinitialize(count: 1)
        unsafeMachine.deallocate()
    }
}

/// What a ``ServerCore`` keeps in its `unsafeLoop`: see the core's properties of the same names.
struct LoopState {
    var cachedKey: SessionKey
    var cachedMachine: UnsafeMutablePointer<SessionStateMachine>?
    /// The key and machine of the core's `outputSession` (no accessors of their own).
    var outputKey: SessionKey
    var outputMachine: UnsafeMutablePointer<SessionStateMachine>?
    var now: SessionInstant
    var roundsSinceClock: Int
    var nextTimerScan: SessionInstant
    var idlePolls: Int
    var sentSinceFlush: Bool
    var backlogs: [SessionKey: OutboundBacklog] = [:]
}

/// Everything the poll thread owns: carriers, sessions, the responder, the write buffers.
/// Only that thread touches it (it is handed over once, when the server starts).
final class ServerCore {
    /// The carriers, called without a retain (see ``ServerCarriers``).
    let carriers: ServerCarriers
    let responder: any Responder
    let configuration: ServerConfiguration
    let doorbell: Doorbell
    let counters: ServerCounters
    /// Set by ``TransportServer/stop()``; checked before the loop sleeps.
    let stopping: Atomic<Bool>

    /// Sessions by connection.
    var sessions: [SessionKey: ServerSession] = [:]
    /// The session looked up last (batches mostly come from one connection, and answers go
    /// back to it): spares a hash lookup per frame. Its machine is kept beside it, so that a
    /// frame reaches the machine without a retain and a release of the session object
    /// (`cachedSession` keeps it alive; both are cleared together).
    var cachedSession: ServerSession?
    var cachedKey: SessionKey {
        get { unsafeLoop.pointee.cachedKey }
        set { unsafeLoop.pointee.cachedKey = newValue }
    }
    var cachedMachine: UnsafeMutablePointer<SessionStateMachine>? {
        get { unsafeLoop.pointee.cachedMachine }
        set { unsafeLoop.pointee.cachedMachine = newValue }
    }
    /// The session a payload went to last when it was not the one looked up last (its key
    /// and machine beside it in `unsafeLoop`, as for `cachedSession`): a tail event goes to
    /// another connection than the write it follows came from, and with one cache the two
    /// would displace each other, a hash lookup and a retain and a release each way per event.
    var outputSession: ServerSession?
    /// The loop's small state that every round or frame touches, in memory of its own that
    /// lives as long as the core, reached through the accessors here: each access to a
    /// class's stored `var` pays a run-time exclusivity check (three per frame: the cached
    /// key and machine, the clock; one per round: the backlogs). Safe: only the poll thread
    /// touches it, and no access to it overlaps another (each is a plain load or store, or a
    /// change of the backlogs that calls nothing touching them).
    private let unsafeLoop: UnsafeMutablePointer<LoopState>
    /// Frames waiting for carrier room, by connection; kept apart from `sessions` so that a
    /// session can release held payloads while frames are queued. In `unsafeLoop`: every
    /// round asks whether it is empty.
    var backlogs: [SessionKey: OutboundBacklog] {
        get { unsafeLoop.pointee.backlogs }
        _modify { yield &unsafeLoop.pointee.backlogs }
    }
    /// Where frames are written before a carrier copies them.
    let scratch: UnsafeMutableRawBufferPointer
    /// The longest frame each carrier takes, capped at the scratch buffer's size, by carrier
    /// index (read once: asking the carrier costs a witness call per frame).
    let frameLimits: [Int]
    /// Where ``ResponderOutput/next(encoding:metadata:complete:)`` encodes; grows to fit.
    var encodeBuffer: UnsafeMutableRawBufferPointer
    /// The time, read at most once per ``clockInterval`` rounds, after every sleep and after
    /// every round that took a whole poll limit (a clock read costs more than a frame):
    /// coarse, but far finer than any deadline.
    var now: SessionInstant {
        get { unsafeLoop.pointee.now }
        set { unsafeLoop.pointee.now = newValue }
    }
    /// Rounds since the clock was last read.
    var roundsSinceClock: Int {
        get { unsafeLoop.pointee.roundsSinceClock }
        set { unsafeLoop.pointee.roundsSinceClock = newValue }
    }
    /// Rounds between clock reads.
    static let clockInterval = 64
    /// When sessions' timers are next checked.
    var nextTimerScan: SessionInstant {
        get { unsafeLoop.pointee.nextTimerScan }
        set { unsafeLoop.pointee.nextTimerScan = newValue }
    }
    /// The earliest session deadline found by the last scan.
    var nextDeadline: SessionInstant?
    /// Idle polls in a row.
    var idlePolls: Int {
        get { unsafeLoop.pointee.idlePolls }
        set { unsafeLoop.pointee.idlePolls = newValue }
    }
    /// Whether anything was sent since the carriers were last flushed.
    var sentSinceFlush: Bool {
        get { unsafeLoop.pointee.sentSinceFlush }
        set { unsafeLoop.pointee.sentSinceFlush = newValue }
    }

    init(carriers: [any ServerCarrier], responder: any Responder, configuration: ServerConfiguration, doorbell: Doorbell) {
        self.carriers = ServerCarriers(carriers)
        self.responder = responder
        self.configuration = configuration
        self.doorbell = doorbell
        counters = ServerCounters()
        stopping = Atomic(false)
        scratch = .allocate(byteCount: configuration.maxOutgoingFrameLength, alignment: 64)
        frameLimits = carriers.map { min($0.maxFrameLength, configuration.maxOutgoingFrameLength) }
        encodeBuffer = .allocate(byteCount: 4096, alignment: 64)
        let now = SessionInstant.now()
        unsafeLoop = .allocate(capacity: 1)
        let none = SessionKey(carrier: -1, connection: ConnectionID(rawValue: 0))
        unsafeLoop.initialize(to: LoopState(
            cachedKey: none, cachedMachine: nil, outputKey: none, outputMachine: nil, now: now,
            roundsSinceClock: 0, nextTimerScan: now, idlePolls: 0, sentSinceFlush: false))
        sessions.reserveCapacity(64)
    }

    deinit {
        scratch.deallocate()
        encodeBuffer.deallocate()
        unsafeLoop.deinitialize(count: 1)
        unsafeLoop.deallocate()
    }

    // MARK: The loop

    /// One round: poll every carrier and feed the sessions, let the responder finish the
    /// batch, send what waits, flush, check timers. Returns the events handled.
    func runOnce() -> Int {
        roundsSinceClock += 1
        if roundsSinceClock >= Self.clockInterval {
            roundsSinceClock = 0
            now = .now()
        }
        var work = 0
        for index in 0..<carriers.count {
            work += carriers.poll(index, limit: configuration.pollLimit) { event in
                if case let .frame(id, bytes) = event {
                    handleFrame(SessionKey(carrier: index, connection: id), bytes)
                } else {
                    handle(index, event)
                }
            }
        }
        if work > 0 { responder.endOfBatch() }
        work += responder.poll(now: now)
        if !backlogs.isEmpty { drainBacklogs() }
        if sentSinceFlush {
            sentSinceFlush = false
            for index in 0..<carriers.count { carriers.with(index) { $0.flush() } }
        }
        if now >= nextTimerScan { scanTimers() }
        // A round that took a whole poll limit is long (very long in a debug build or on
        // loaded cores): the next one reads the clock, so that the stat segment's refresh,
        // liveness and deadlines keep time under a flood. Beside such a round's work the
        // read is small.
        if work >= configuration.pollLimit { roundsSinceClock = Self.clockInterval }
        return work
    }

    /// The idle strategy after a round: spin, then yield, then announce sleep on the
    /// doorbell, poll once more, and sleep until rung or the next deadline (at most
    /// ``ServerConfiguration/maxSleep``).
    func idle(_ work: Int) {
        if work > 0 {
            idlePolls = 0
            return
        }
        idlePolls += 1
        if idlePolls <= configuration.spinPolls { return }
        if idlePolls <= configuration.spinPolls + configuration.yieldPolls {
            sched_yield()
            return
        }
        let ticket = doorbell.prepareToSleep()
        if stopping.load(ordering: .acquiring) || runOnce() > 0 {
            doorbell.cancelSleep()
            idlePolls = 0
            return
        }
        // Frames waiting for carrier room: carriers ring when room appears, but retry soon
        // in any case (never a spin while a peer does not read).
        var timeout = backlogs.isEmpty ? configuration.maxSleep : min(configuration.maxSleep, .milliseconds(1))
        if let deadline = nextDeadline {
            timeout = max(.zero, min(timeout, deadline - SessionInstant.now()))
        }
        responder.willSleep()
        counters.countSleep()
        doorbell.sleep(ticket, timeout: timeout)
        roundsSinceClock = Self.clockInterval
    }

    /// The clean stop, on the poll thread: answer what already arrived, let the responder
    /// end its streams, close every connection with ERROR CONNECTION_CLOSE, let queued frames
    /// go out (briefly), tell the responder, shut the carriers down.
    func shutdown() {
        var rounds = 0
        while runOnce() > 0 && rounds < 16 { rounds += 1 }
        responder.willShutDown()
        for (key, session) in sessions {
            perform(key, session.unsafeMachine.pointee.closeLocally(reason: "server stopping"))
        }
        let deadline = ContinuousClock.now + .milliseconds(200)
        repeat {
            if !backlogs.isEmpty { drainBacklogs() }
            for index in 0..<carriers.count { carriers.with(index) { $0.flush() } }
        } while !backlogs.isEmpty && ContinuousClock.now < deadline
        for (key, session) in sessions {
            session.unsafeMachine.pointee.terminate()
            responder.connectionClosed(key.serverWide, reason: .shutdown)
            counters.countClosed()
        }
        sessions.removeAll()
        forgetCachedSession()
        forgetOutputSession()
        backlogs.removeAll()
        for index in 0..<carriers.count { carriers.with(index) { $0.shutdown() } }
    }

    // MARK: Events

    /// The state machine of a connection's session, if it is open: the cached pointer, with
    /// no reference count touched, when the connection is the one looked up last. Valid
    /// until the session is removed (nothing removes one while a frame is handled).
    @inline(__always)
    func machine(_ key: SessionKey) -> UnsafeMutablePointer<SessionStateMachine>? {
        if cachedKey == key, let cachedMachine { return cachedMachine }
        guard let found = sessions[key] else { return nil }
        cache(key, found)
        return found.unsafeMachine
    }

    /// Remembers `session` as the one looked up last.
    private func cache(_ key: SessionKey, _ session: ServerSession) {
        cachedKey = key
        cachedSession = session
        cachedMachine = session.unsafeMachine
    }

    /// Forgets the session looked up last (it closed, or the server stopped).
    private func forgetCachedSession() {
        cachedSession = nil
        cachedMachine = nil
    }

    /// The state machine of the connection a payload goes to, as ``machine(_:)`` finds it,
    /// but remembered in the output's own cache (`outputSession`) when it is not the
    /// connection looked up last.
    @inline(__always)
    func outputMachine(_ key: SessionKey) -> UnsafeMutablePointer<SessionStateMachine>? {
        if cachedKey == key, let cachedMachine { return cachedMachine }
        if unsafeLoop.pointee.outputKey == key, let machine = unsafeLoop.pointee.outputMachine { return machine }
        guard let found = sessions[key] else { return nil }
        unsafeLoop.pointee.outputKey = key
        unsafeLoop.pointee.outputMachine = found.unsafeMachine
        outputSession = found
        return found.unsafeMachine
    }

    /// Forgets the output's cached session (it closed, or the server stopped).
    private func forgetOutputSession() {
        outputSession = nil
        unsafeLoop.pointee.outputMachine = nil
    }

    /// Forgets whichever cached session is `key`'s (it closed, or a new one opens under it).
    private func forgetCachedSessions(of key: SessionKey) {
        if cachedKey == key { forgetCachedSession() }
        if unsafeLoop.pointee.outputKey == key { forgetOutputSession() }
    }

    /// One frame of connection `key`. Inlined into the poll's handler (every frame of a
    /// flood comes here): through ``handle(_:_:)``, whose other cases need a large frame,
    /// it cost a call and that frame's set-up per frame.
    @inline(__always)
    func handleFrame(_ key: SessionKey, _ bytes: UnsafeRawBufferPointer) {
        counters.countReceived()
        // The machine's pointer, not the session object: nothing can end the session
        // before `perform`, and holding the object would cost a retain per frame.
        guard let machine = machine(key) else { return }
        // The bulk of a write flood straight to the responder; every other frame
        // through the session's reader and an action.
        if let data = machine.pointee.wholeFireAndForget(bytes, now: now) {
            responder.fireAndForget(PayloadView(metadata: nil, data: data), connection: key.serverWide)
        } else {
            perform(key, machine.pointee.receive(bytes, now: now))
        }
    }

    /// One carrier event.
    func handle(_ carrier: Int, _ event: CarrierEvent) {
        switch event {
        case let .frame(id, bytes):
            handleFrame(SessionKey(carrier: carrier, connection: id), bytes)
        case let .opened(id, peer):
            let key = SessionKey(carrier: carrier, connection: id)
            forgetCachedSessions(of: key)
            sessions[key] = ServerSession(machine: SessionStateMachine(configuration: configuration.session, now: now), peer: peer)
            counters.countOpened()
            responder.connectionOpened(key.serverWide, peer: peer)
            if nextDeadline == nil || now + configuration.session.setupTimeout < nextDeadline! {
                nextDeadline = now + configuration.session.setupTimeout
            }
        case let .malformed(id, reason):
            let key = SessionKey(carrier: carrier, connection: id)
            guard let session = sessions[key] else { return }
            perform(key, session.unsafeMachine.pointee.malformed(reason: reason))
        case let .closed(id, reason):
            let key = SessionKey(carrier: carrier, connection: id)
            guard let session = sessions.removeValue(forKey: key) else { return }
            forgetCachedSessions(of: key)
            session.unsafeMachine.pointee.terminate()
            backlogs[key] = nil
            counters.countClosed()
            responder.connectionClosed(key.serverWide, reason: reason)
        }
    }

    /// Carries out what a session asked for. The action is consumed, its payload taken case
    /// by case: a borrowed one was destroyed after the call through the enum's value witness
    /// (about 85 instructions per frame, for a fire-and-forget whose payload is trivial).
    func perform(_ key: SessionKey, _ action: consuming SessionAction) {
        switch consume action {
        case .none:
            break
        case .setup(let request):
            let decision = responder.setup(request, connection: key.serverWide)
            guard let session = sessions[key] else { return }
            perform(key, session.unsafeMachine.pointee.decideSetup(decision, now: now))
        case .fireAndForget(let payload):
            responder.fireAndForget(payload, connection: key.serverWide)
        case let .requestResponse(ref, payload):
            responder.requestResponse(payload, output: ResponderOutput(core: self, key: key, stream: ref))
        case let .requestStream(ref, payload, initialDemand):
            responder.requestStream(payload, initialDemand: initialDemand, output: ResponderOutput(core: self, key: key, stream: ref))
        case let .requestChannel(ref, payload, initialDemand, grant):
            if grant > 0 { writeRequestN(key, ref.streamID, grant) }
            responder.requestChannel(payload, initialDemand: initialDemand, output: ResponderOutput(core: self, key: key, stream: ref))
        case let .channelPayload(ref, payload, complete, grant):
            if grant > 0 { writeRequestN(key, ref.streamID, grant) }
            responder.channelPayload(payload, complete: complete, output: ResponderOutput(core: self, key: key, stream: ref))
        case .channelComplete(let ref):
            responder.channelComplete(output: ResponderOutput(core: self, key: key, stream: ref))
        case let .demand(ref, _):
            guard let session = sessions[key] else { return }
            session.unsafeMachine.pointee.releaseHeld(ref) { metadata, data, next, complete in
                writePayload(key, ref.streamID, .payload(next: next, complete: complete), metadata: metadata, data: data)
            }
            let credit = session.unsafeMachine.pointee.credit(ref)
            responder.demand(credit: credit, output: ResponderOutput(core: self, key: key, stream: ref))
        case .cancel(let ref):
            responder.cancel(output: ResponderOutput(core: self, key: key, stream: ref))
        case .reply(let reply):
            write(key, reply)
        case .close(let reply):
            if let reply {
                if case .error(_, let code, _) = reply, code != .connectionClose || !stopping.load(ordering: .relaxed) {
                    counters.countError()
                }
                write(key, reply)
            }
            carriers.with(key.carrier) { $0.close(key.connection) }
        }
    }

    /// Checks every session's timers; remembers the earliest deadline for the idle sleep.
    func scanTimers() {
        nextTimerScan = now + configuration.timerInterval
        var earliest: SessionInstant?
        var index = sessions.startIndex
        while index != sessions.endIndex {
            let (key, session) = sessions[index]
            let action = session.unsafeMachine.pointee.tick(now: now)
            if case .none = action {} else { perform(key, action) }
            if let deadline = session.unsafeMachine.pointee.nextDeadline, earliest == nil || deadline < earliest! {
                earliest = deadline
            }
            index = sessions.index(after: index)
        }
        nextDeadline = earliest
    }

    // MARK: Output

    /// A responder's payload and/or completion on a stream.
    func sendPayload(
        _ key: SessionKey, _ ref: StreamRef, metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer, next: Bool,
        complete: Bool
    ) -> OutputOutcome {
        offerPayload(key, ref, metadata: metadata, data: data, next: next, complete: complete) { ended in
            writePayload(key, ref.streamID, .payload(next: next, complete: ended), metadata: metadata, data: data)
            return .sent
        }
    }

    /// Offers a payload for stream `ref` of connection `key` to its session: refused when
    /// the connection is closed or its backlog is full; otherwise what the session says
    /// (held, refused), or, when it may go now, what `send` answers, given whether the
    /// payload ends the stream. Inlined into both senders, with `send`.
    @inline(__always)
    private func offerPayload(
        _ key: SessionKey, _ ref: StreamRef, metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer, next: Bool,
        complete: Bool, send: (_ ended: Bool) -> OutputOutcome
    ) -> OutputOutcome {
        // The machine's pointer, not the session object (a retain and a release per answer):
        // nothing ends the session while its payload is prepared.
        guard let machine = outputMachine(key) else { return .refused(.connectionClosed) }
        if !backlogs.isEmpty, let backlog = backlogs[key], backlog.byteCount > configuration.maxBacklogBytes {
            return .refused(.backlogFull)
        }
        switch machine.pointee.preparePayload(ref, metadata: metadata, data: data, next: next, complete: complete) {
        case .send(let ended):
            return send(ended)
        case .held:
            return .held
        case .refused(let why):
            return .refused(why)
        }
    }

    /// A responder's payload (N, and C when `complete`) without metadata, of `byteCount`
    /// bytes that `encode` writes: encoded straight into its frame when it fits one (the
    /// usual answer or tail event; encoded into the encode buffer first and copied into the
    /// frame, its bytes were written twice). The session is asked after the frame is written
    /// (it reads the data there when it holds the payload back); beyond one frame, as
    /// ``sendPayload(_:_:metadata:data:next:complete:)``.
    func sendPayload(
        _ key: SessionKey, _ ref: StreamRef, byteCount: Int, complete: Bool, encode: (UnsafeMutableRawBufferPointer) -> Void
    ) -> OutputOutcome {
        let limit = frameLimits[key.carrier]
        guard limit >= FrameFragmenter.minimumFrameLength, FrameHeader.byteCount + byteCount <= min(limit, scratch.count) else {
            return sendPayload(key, ref, metadata: nil, data: self.encode(byteCount: byteCount, encode), next: true, complete: complete)
        }
        var writer = FrameWriter(scratch)
        guard (try? writer.writePayload(streamID: ref.streamID, next: true, complete: complete, metadata: nil, data: ReservedData(encodedByteCount: byteCount))) != nil else {
            return sendPayload(key, ref, metadata: nil, data: self.encode(byteCount: byteCount, encode), next: true, complete: complete)
        }
        // The frame's data, after its header (a PAYLOAD without metadata holds nothing else).
        let data = UnsafeMutableRawBufferPointer(rebasing: scratch[FrameHeader.byteCount ..< writer.count])
        encode(data)
        return offerPayload(key, ref, metadata: nil, data: UnsafeRawBufferPointer(data), next: true, complete: complete) { ended in
            if ended != complete {
                // A request-response's answer ends it even without C: the header again, with C.
                var header = FrameWriter(UnsafeMutableRawBufferPointer(rebasing: scratch[..<writer.count]))
                guard (try? header.writePayload(streamID: ref.streamID, next: true, complete: ended, metadata: nil, data: ReservedData(encodedByteCount: data.count))) != nil
                else { return .refused(.streamEnded) }
            }
            emit(key, writer.written)
            return .sent
        }
    }

    /// A responder's ERROR on a stream.
    func sendError(_ key: SessionKey, _ ref: StreamRef, code: ErrorCode, reason: ErrorReason) -> OutputOutcome {
        guard let session = sessions[key] else { return .refused(.connectionClosed) }
        if let why = session.unsafeMachine.pointee.prepareError(ref) { return .refused(why) }
        write(key, .error(streamID: ref.streamID, code: code, reason: reason))
        return .sent
    }

    /// The requester's credit left on a stream.
    func credit(_ key: SessionKey, _ ref: StreamRef) -> UInt32 {
        sessions[key]?.unsafeMachine.pointee.credit(ref) ?? 0
    }

    /// Encodes `byteCount` bytes with `body` into the encode buffer (grown to fit) and
    /// returns them.
    func encode(byteCount count: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> UnsafeRawBufferPointer {
        if count > encodeBuffer.count {
            encodeBuffer.deallocate()
            encodeBuffer = .allocate(byteCount: max(count, encodeBuffer.count * 2), alignment: 64)
        }
        let region = UnsafeMutableRawBufferPointer(rebasing: encodeBuffer[..<count])
        body(region)
        return UnsafeRawBufferPointer(region)
    }

    /// Writes a payload, fragmented to what the connection's carrier takes.
    func writePayload(
        _ key: SessionKey, _ streamID: UInt32, _ kind: PayloadFrameKind, metadata: UnsafeRawBufferPointer?,
        data: UnsafeRawBufferPointer
    ) {
        let limit = frameLimits[key.carrier]
        // The usual answer or tail event, a PAYLOAD without metadata that fits one frame:
        // written here, without the fragmenter's loop and its closure (which retained and
        // released the core per frame).
        if metadata == nil, case let .payload(next, complete) = kind, limit >= FrameFragmenter.minimumFrameLength,
           FrameHeader.byteCount + data.count <= min(limit, scratch.count) {
            var writer = FrameWriter(scratch)
            if (try? writer.writePayload(streamID: streamID, next: next, complete: complete, metadata: nil, data: data)) != nil {
                emit(key, writer.written)
                return
            }
        }
        do {
            try FrameFragmenter.write(
                kind, streamID: streamID, metadata: metadata, data: data, maxFrameLength: limit, scratch: scratch
            ) { [unowned(unsafe) self] frame in
                // unowned(unsafe): runs inside this method, while `self` is alive (a strong
                // capture cost a retain and a release per answer).
                emit(key, frame)
                return true
            }
        } catch {
            write(key, .error(streamID: streamID, code: .applicationError, reason: .text("cannot frame the answer: \(error)")))
        }
    }

    /// Writes a frame the session answers with; a reason too long for a frame is cut short.
    func write(_ key: SessionKey, _ reply: SessionReply) {
        var writer = FrameWriter(UnsafeMutableRawBufferPointer(rebasing: scratch[..<frameLimits[key.carrier]]))
        do {
            try reply.write(into: &writer)
        } catch {
            writer.reset()
            guard case let .error(streamID, code, _) = reply,
                  (try? writer.writeError(streamID: streamID, code: code, reason: ErrorReason.fixed("(reason too long)"))) != nil
            else { return }
        }
        emit(key, writer.written)
    }

    /// REQUEST_N on a stream (a channel's grant to its requester).
    func writeRequestN(_ key: SessionKey, _ streamID: UInt32, _ n: UInt32) {
        var writer = FrameWriter(scratch)
        guard (try? writer.writeRequestN(streamID: streamID, requestN: n)) != nil else { return }
        emit(key, writer.written)
    }

    /// Hands a frame to the connection's carrier, or queues it behind a backlog.
    func emit(_ key: SessionKey, _ frame: UnsafeRawBufferPointer) {
        counters.countSent()
        sentSinceFlush = true
        if !backlogs.isEmpty, backlogs[key] != nil {
            backlogs[key]!.append(frame)
            return
        }
        switch carriers.with(key.carrier, { $0.send(frame, to: key.connection) }) {
        case .sent, .closed:
            break
        case .wouldBlock:
            backlogs[key, default: OutboundBacklog()].append(frame)
        }
    }

    /// Offers queued frames to their carriers again.
    func drainBacklogs() {
        for key in Array(backlogs.keys) {
            let empty = carriers.with(key.carrier) { carrier in
                backlogs[key]!.drain { frame in
                    switch carrier.send(frame, to: key.connection) {
                    case .sent: return true
                    case .wouldBlock: return false
                    case .closed: return true
                    }
                }
            }
            sentSinceFlush = true
            if empty { backlogs[key] = nil }
        }
    }
}

/// A payload's data region, reserved in the frame by the frame writer and left for the
/// caller to fill (``ServerCore/sendPayload(_:_:byteCount:complete:encode:)``).
private struct ReservedData: FrameEncodable {
    /// The region's size.
    let encodedByteCount: Int

    /// Writes nothing: the caller fills the region.
    func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {}
}
