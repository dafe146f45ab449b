import Frames

/// The responder side of one RSocket 1.0 connection as a state machine (swift-nio's
/// `*StateMachine` style): it is fed events (a received frame, a timer tick, the responder's
/// wish to send) and answers with what to do (``SessionAction``, ``PayloadDisposition``). It
/// does no I/O, holds no lock, and allocates nothing per frame in steady state (fragment
/// reassembly and payloads held for lack of credit copy into buffers of their own).
///
/// Rules it enforces (each answered with the ERROR frame the spec names):
/// - SETUP first: version 1.0 only (else UNSUPPORTED_SETUP); the resume and lease flags are
///   refused with UNSUPPORTED_SETUP, a RESUME with REJECTED_RESUME; any other frame before
///   SETUP is INVALID_SETUP; so is no SETUP within ``SessionConfiguration/setupTimeout``.
/// - The peer's max lifetime: no frame for that long closes the connection with
///   CONNECTION_CLOSE. KEEPALIVE with R is answered at once.
/// - Stream ids: requests on odd ids only; reusing a live id, PAYLOAD on a stream that takes
///   none, PAYLOAD beyond the granted credit, LEASE, a second SETUP, an unknown frame type
///   without the I flag, and any malformed frame are connection errors (CONNECTION_ERROR,
///   then close). Frames for streams that already ended are ignored (they race with the end).
/// - At most ``SessionConfiguration/maxConcurrentStreams`` streams: beyond it a request is
///   answered with ERROR REJECTED on its stream.
/// - Fragments (F flag) are reassembled, counted against
///   ``SessionConfiguration/maxReassemblyBytes`` for the whole connection.
/// - REQUEST_N credits add up and saturate at 2^31-1 (unbounded); the responder never sends
///   a PAYLOAD beyond the credit: ``preparePayload(_:metadata:data:next:complete:)`` holds it
///   back (bounded) and says so.
public struct SessionStateMachine {
    /// Where the connection is in its life.
    public enum State: Sendable, Equatable {
        /// Opened; waiting for SETUP (or for the responder's decision on it).
        case awaitingSetup
        /// SETUP accepted: requests flow.
        case active
        /// The session decided to close (an ERROR is on its way); everything is ignored.
        case closing
        /// Over: the carrier connection is gone.
        case closed
    }

    /// Where the connection is.
    public private(set) var state: State = .awaitingSetup
    /// The limits enforced.
    public let configuration: SessionConfiguration
    /// The client's keepalive interval, once its SETUP arrived.
    public private(set) var keepaliveInterval: Duration?
    /// The client's max lifetime, once its SETUP arrived.
    public private(set) var maxLifetime: Duration?

    /// Live streams by id.
    var streams = StreamTable()
    /// Streams opened so far (the next generation).
    var generation: UInt32 = 0
    /// When the connection opened (the SETUP deadline runs from here).
    let openedAt: SessionInstant
    /// When the last frame arrived (the lifetime runs from here).
    var lastReceived: SessionInstant
    /// Whether a SETUP awaits the responder's decision.
    var setupPending = false
    /// Bytes of fragments being reassembled, all streams.
    public internal(set) var reassemblyBytes = 0
    /// Bytes of payloads held back for lack of credit, all streams.
    public internal(set) var heldBytes = 0
    /// A reassembled payload handed out by the last action, freed at the next call.
    var retired: FragmentAssembly?

    /// A session for a connection that opened at `now`.
    public init(configuration: SessionConfiguration = SessionConfiguration(), now: SessionInstant) {
        self.configuration = configuration
        openedAt = now
        lastReceived = now
    }

    /// Streams open now.
    public var openStreamCount: Int { streams.count }

    /// The next instant at which ``tick(now:)`` has something to check (the SETUP deadline or
    /// the end of the peer's lifetime); nil when closing or closed.
    public var nextDeadline: SessionInstant? {
        switch state {
        case .awaitingSetup: setupPending ? nil : openedAt + configuration.setupTimeout
        case .active: maxLifetime.map { lastReceived + $0 }
        case .closing, .closed: nil
        }
    }

    /// The data of `bytes` when they are a whole REQUEST_FNF (every flag clear: no
    /// metadata, no fragments) on an odd stream not in use, in an active session with no
    /// payload to free; nil for any other frame, which ``receive(_:now:)-(UnsafeRawBufferPointer,_)``
    /// then validates and handles (malformed ones included). For such a frame that call does
    /// exactly this (the frame reader passes it, the request opens no stream) through the
    /// reader and a ``SessionAction``; a flood of fire-and-forget writes skips both here.
    @inline(__always)
    public mutating func wholeFireAndForget(_ bytes: UnsafeRawBufferPointer, now: SessionInstant) -> UnsafeRawBufferPointer? {
        guard state == .active, retired == nil, bytes.count >= FrameHeader.byteCount, let base = bytes.baseAddress else { return nil }
        let streamID = UInt32(bigEndian: base.loadUnaligned(as: UInt32.self))
        let typeAndFlags = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        // Odd (so not 0) with the reserved bit clear; the type with no flag.
        guard streamID & 0x8000_0001 == 1, typeAndFlags == UInt16(FrameType.requestFireAndForget.rawValue) << 10,
              streams.isEmpty || !streams.contains(streamID) else { return nil }
        lastReceived = now
        return UnsafeRawBufferPointer(start: base + FrameHeader.byteCount, count: bytes.count - FrameHeader.byteCount)
    }

    /// Validates the bytes of one received frame, then handles it
    /// (``receive(_:now:)-(FrameReader,_)``); a frame that fails validation is a connection error.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, now: SessionInstant) -> SessionAction {
        guard state == .awaitingSetup || state == .active else { return .none }
        let frame: FrameReader
        do {
            frame = try FrameReader(validating: bytes)
        } catch {
            freeRetired()
            let code: ErrorCode = state == .awaitingSetup ? .invalidSetup : .connectionError
            return closeWith(0, code, .text("malformed frame: \(error)"))
        }
        return receive(frame, now: now)
    }

    /// Handles one validated frame.
    @inline(__always)  // into receive(_:now:) of bytes: called there, the action (about 80 bytes) was returned through memory and copied once more, per frame
    public mutating func receive(_ frame: FrameReader, now: SessionInstant) -> SessionAction {
        freeRetired()
        switch state {
        case .closing, .closed:
            return .none
        case .awaitingSetup:
            lastReceived = now
            return receiveBeforeSetup(frame)
        case .active:
            lastReceived = now
            return receiveActive(frame)
        }
    }

    /// Checks the timers: the SETUP deadline, the peer's max lifetime.
    public mutating func tick(now: SessionInstant) -> SessionAction {
        guard let deadline = nextDeadline, now >= deadline else { return .none }
        freeRetired()
        if state == .awaitingSetup {
            return closeWith(0, .invalidSetup, .fixed("no SETUP in time"))
        }
        return closeWith(0, .connectionClose, .text("no frame within the max lifetime of \(maxLifetime!)"))
    }

    /// The carrier found the connection's bytes unframeable: a connection error.
    public mutating func malformed(reason: String) -> SessionAction {
        guard state == .awaitingSetup || state == .active else { return .none }
        freeRetired()
        return closeWith(0, .connectionError, .text(reason))
    }

    /// The responder's decision on the SETUP of the last ``SessionAction/setup(_:)``.
    public mutating func decideSetup(_ decision: SetupDecision, now: SessionInstant) -> SessionAction {
        guard state == .awaitingSetup, setupPending else { return .none }
        setupPending = false
        switch decision {
        case .accept:
            state = .active
            lastReceived = now
            return .none
        case .reject(let reason): return closeWith(0, .rejectedSetup, .text(reason))
        case .unsupported(let reason): return closeWith(0, .unsupportedSetup, .text(reason))
        }
    }

    /// The local side closes the connection cleanly (server stop): ERROR CONNECTION_CLOSE.
    public mutating func closeLocally(reason: StaticString) -> SessionAction {
        guard state == .awaitingSetup || state == .active else { return .none }
        freeRetired()
        return closeWith(0, .connectionClose, .fixed(reason))
    }

    /// The carrier connection is gone: frees everything; the session is closed.
    public mutating func terminate() {
        freeRetired()
        dropAllStreams()
        state = .closed
    }

    /// Ends the session with an ERROR on `streamID` (0: the connection).
    mutating func closeWith(_ streamID: UInt32, _ code: ErrorCode, _ reason: ErrorReason) -> SessionAction {
        dropAllStreams()
        state = .closing
        return .close(.error(streamID: streamID, code: code, reason: reason))
    }

    /// Frees the payload the previous action handed out.
    mutating func freeRetired() {
        if let retired {
            retired.deallocate()
            self.retired = nil
        }
    }

    /// Forgets every stream, freeing their buffers.
    mutating func dropAllStreams() {
        for state in streams.values {
            state.deallocate()
        }
        streams.removeAll()
        reassemblyBytes = 0
        heldBytes = 0
    }

    // MARK: SETUP

    mutating func receiveBeforeSetup(_ frame: FrameReader) -> SessionAction {
        switch frame.fields {
        case .setup(let fields):
            guard !setupPending else { return closeWith(0, .invalidSetup, .fixed("frame before the SETUP was decided")) }
            guard fields.majorVersion == 1, fields.minorVersion == 0 else {
                return closeWith(0, .unsupportedSetup, .text("version \(fields.majorVersion).\(fields.minorVersion) is not supported (1.0 only)"))
            }
            if fields.unsafeResumeToken != nil {
                return closeWith(0, .unsupportedSetup, .fixed("resumption is not supported"))
            }
            if frame.flags.contains(.lease) {
                return closeWith(0, .unsupportedSetup, .fixed("lease is not supported"))
            }
            let interval = Duration.milliseconds(Int64(fields.keepaliveInterval))
            let lifetime = Duration.milliseconds(Int64(fields.maxLifetime))
            keepaliveInterval = interval
            maxLifetime = lifetime
            setupPending = true
            return .setup(SetupRequest(
                keepaliveInterval: interval, maxLifetime: lifetime, unsafeMetadataMIMEType: fields.unsafeMetadataMIMEType,
                unsafeDataMIMEType: fields.unsafeDataMIMEType, payload: PayloadView(metadata: frame.unsafeMetadata, data: frame.unsafeData)))
        case .resume:
            return closeWith(0, .rejectedResume, .fixed("resumption is not supported"))
        default:
            return closeWith(0, .invalidSetup, .text("\(frame.type) before SETUP"))
        }
    }

    // MARK: Established

    @inline(__always)  // as openRequest: the action is built where receive returns it
    mutating func receiveActive(_ frame: FrameReader) -> SessionAction {
        switch frame.fields {
        case .requestFireAndForget: return openRequest(frame, .fireAndForget, initialDemand: 0)
        case .requestResponse: return openRequest(frame, .requestResponse, initialDemand: 1)
        case .requestStream(let n): return openRequest(frame, .requestStream, initialDemand: n)
        case .requestChannel(let n): return openRequest(frame, .requestChannel, initialDemand: n)
        case .payload: return receivePayload(frame)
        case .requestN(let n): return receiveRequestN(frame.streamID, n)
        case .cancel: return endByRequester(frame.streamID)
        case .keepalive:
            return frame.respond ? .reply(.keepalive(data: frame.unsafeData)) : .none
        case .error:
            if frame.streamID == 0 {
                dropAllStreams()
                state = .closing
                return .close(nil)
            }
            return endByRequester(frame.streamID)
        case .metadataPush, .ignored:
            return .none
        case .ext:
            return frame.flags.contains(.ignore) ? .none : closeWith(0, .connectionError, .fixed("EXT frames are not supported"))
        case .setup:
            return closeWith(0, .connectionError, .fixed("a second SETUP"))
        case .lease:
            return closeWith(0, .connectionError, .fixed("LEASE is not supported (not negotiated)"))
        case .resume:
            return closeWith(0, .rejectedResume, .fixed("resumption is not supported"))
        case .resumeOK:
            return closeWith(0, .connectionError, .fixed("RESUME_OK from a client"))
        }
    }
}
