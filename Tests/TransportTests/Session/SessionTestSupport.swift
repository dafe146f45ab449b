import Frames
import Transport

/// Frames written into arrays, for feeding sessions.
enum Wire {
    /// One frame written by `write` (bare, no length prefix).
    static func frame(_ write: (inout FrameWriter) throws -> Void) -> [UInt8] {
        var storage = [UInt8](repeating: 0, count: 1 << 20)
        let count = storage.withUnsafeMutableBytes { raw -> Int in
            var writer = FrameWriter(raw)
            try! write(&writer)
            return writer.count
        }
        return Array(storage[..<count])
    }

    static func setup(
        major: UInt16 = 1, minor: UInt16 = 0, keepalive: UInt32 = 1_000, lifetime: UInt32 = 5_000,
        dataMIME: String = "application/json", metadataMIME: String = "application/octet-stream",
        resume: Bool = false, lease: Bool = false
    ) -> [UInt8] {
        let token: [UInt8] = [1, 2, 3]
        return token.withUnsafeBytes { token in
            frame { w in
                try w.writeSetup(
                    keepaliveInterval: keepalive, maxLifetime: lifetime, metadataMIMEType: metadataMIME, dataMIMEType: dataMIME,
                    majorVersion: major, minorVersion: minor, resumeToken: resume ? token : nil, lease: lease,
                    data: Array("hello".utf8))
            }
        }
    }

    static func fnf(_ id: UInt32, _ data: String, follows: Bool = false) -> [UInt8] {
        frame { (w) throws(FrameError) in try w.writeRequestFireAndForget(streamID: id, data: Array(data.utf8), follows: follows) }
    }

    static func rr(_ id: UInt32, _ data: String, metadata: [UInt8]? = nil, follows: Bool = false) -> [UInt8] {
        frame { w in
            if let metadata {
                try metadata.withUnsafeBytes { m in
                    try w.writeRequestResponse(streamID: id, metadata: m, data: Array(data.utf8), follows: follows)
                }
            } else {
                try w.writeRequestResponse(streamID: id, data: Array(data.utf8), follows: follows)
            }
        }
    }

    static func stream(_ id: UInt32, _ n: UInt32, _ data: String = "s") -> [UInt8] {
        frame { (w) throws(FrameError) in try w.writeRequestStream(streamID: id, initialRequestN: n, data: Array(data.utf8)) }
    }

    static func channel(_ id: UInt32, _ n: UInt32, _ data: String = "c", complete: Bool = false) -> [UInt8] {
        frame { (w) throws(FrameError) in
            try w.writeRequestChannel(streamID: id, initialRequestN: n, data: Array(data.utf8), complete: complete)
        }
    }

    static func payload(_ id: UInt32, _ data: String, next: Bool = true, complete: Bool = false, follows: Bool = false) -> [UInt8] {
        frame { (w) throws(FrameError) in
            try w.writePayload(streamID: id, next: next, complete: complete, follows: follows, data: Array(data.utf8))
        }
    }

    static func requestN(_ id: UInt32, _ n: UInt32) -> [UInt8] {
        frame { (w) throws(FrameError) in try w.writeRequestN(streamID: id, requestN: n) }
    }

    static func cancel(_ id: UInt32) -> [UInt8] {
        frame { (w) throws(FrameError) in try w.writeCancel(streamID: id) }
    }

    static func error(_ id: UInt32, _ code: ErrorCode, _ reason: String) -> [UInt8] {
        frame { (w) throws(FrameError) in try w.writeError(streamID: id, code: code, reason: reason) }
    }

    static func keepalive(respond: Bool, _ data: String = "") -> [UInt8] {
        frame { (w) throws(FrameError) in try w.writeKeepalive(respond: respond, data: Array(data.utf8)) }
    }

    /// A header-only frame of a raw type and flags on a stream.
    static func raw(type: UInt8, flags: UInt16 = 0, stream: UInt32 = 0, body: [UInt8] = []) -> [UInt8] {
        let typeAndFlags = UInt16(type) << 10 | flags
        return [UInt8(stream >> 24), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF),
                UInt8(typeAndFlags >> 8), UInt8(typeAndFlags & 0xFF)] + body
    }
}

/// A frame the session answered with, copied.
enum Reply: Equatable {
    case keepalive([UInt8])
    case error(stream: UInt32, ErrorCode, String)

    init(_ reply: SessionReply) {
        switch reply {
        case .keepalive(let data): self = .keepalive(Array(data))
        case let .error(stream, code, reason): self = .error(stream: stream, code, reason.description)
        }
    }

    var code: ErrorCode? {
        if case let .error(_, code, _) = self { return code }
        return nil
    }
}

/// A ``SessionAction`` with its views copied, to compare in tests.
enum Observed: Equatable {
    case none
    case setup(dataMIME: String, metadataMIME: String, keepalive: Duration, lifetime: Duration, data: String)
    case fireAndForget(String, metadata: [UInt8]?)
    case requestResponse(StreamRef, String, metadata: [UInt8]?)
    case requestStream(StreamRef, String, n: UInt32)
    case requestChannel(StreamRef, String, n: UInt32, grant: UInt32)
    case channelPayload(StreamRef, String, complete: Bool, grant: UInt32)
    case channelComplete(StreamRef)
    case demand(StreamRef, UInt32)
    case cancel(StreamRef)
    case reply(Reply)
    case close(Reply?)

    init(_ action: SessionAction) {
        func text(_ view: PayloadView) -> String { String(decoding: view.unsafeData, as: UTF8.self) }
        switch action {
        case .none: self = .none
        case .setup(let s):
            self = .setup(
                dataMIME: s.dataMIMETypeString, metadataMIME: s.metadataMIMETypeString, keepalive: s.keepaliveInterval,
                lifetime: s.maxLifetime, data: text(s.payload))
        case .fireAndForget(let p): self = .fireAndForget(text(p), metadata: p.unsafeMetadata.map { Array($0) })
        case let .requestResponse(r, p): self = .requestResponse(r, text(p), metadata: p.unsafeMetadata.map { Array($0) })
        case let .requestStream(r, p, n): self = .requestStream(r, text(p), n: n)
        case let .requestChannel(r, p, n, g): self = .requestChannel(r, text(p), n: n, grant: g)
        case let .channelPayload(r, p, c, g): self = .channelPayload(r, text(p), complete: c, grant: g)
        case .channelComplete(let r): self = .channelComplete(r)
        case let .demand(r, c): self = .demand(r, c)
        case .cancel(let r): self = .cancel(r)
        case .reply(let r): self = .reply(Reply(r))
        case .close(let r): self = .close(r.map(Reply.init))
        }
    }

    /// The ERROR code of a `.close` or `.reply`, if any.
    var errorCode: ErrorCode? {
        switch self {
        case .close(let reply): reply?.code
        case .reply(let reply): reply.code
        default: nil
        }
    }

    var isClose: Bool {
        if case .close = self { return true }
        return false
    }
}

/// A session fed from arrays, with a fake clock.
struct SessionHarness {
    var machine: SessionStateMachine
    var now: SessionInstant

    init(configuration: SessionConfiguration = SessionConfiguration(), established: Bool = true) {
        now = .now()
        machine = SessionStateMachine(configuration: configuration, now: now)
        if established {
            _ = feed(Wire.setup())
            _ = machine.decideSetup(.accept, now: now)
        }
    }

    mutating func feed(_ bytes: [UInt8]) -> Observed {
        let now = now
        return bytes.withUnsafeBytes { raw in Observed(machine.receive(raw, now: now)) }
    }

    mutating func advance(_ duration: Duration) -> Observed {
        now += duration
        return Observed(machine.tick(now: now))
    }

    /// The responder sends a payload.
    mutating func send(_ ref: StreamRef, _ data: String, next: Bool = true, complete: Bool = false) -> PayloadDisposition {
        Array(data.utf8).withUnsafeBytes { machine.preparePayload(ref, metadata: nil, data: $0, next: next, complete: complete) }
    }

    /// Releases held payloads, returning their data and flags.
    mutating func release(_ ref: StreamRef) -> [(String, Bool, Bool)] {
        var released: [(String, Bool, Bool)] = []
        machine.releaseHeld(ref) { _, data, next, complete in
            released.append((String(decoding: data, as: UTF8.self), next, complete))
        }
        return released
    }
}

extension Observed {
    /// The stream of a request action.
    var ref: StreamRef? {
        switch self {
        case .requestResponse(let r, _, _), .requestStream(let r, _, _), .requestChannel(let r, _, _, _),
             .channelPayload(let r, _, _, _), .channelComplete(let r), .demand(let r, _), .cancel(let r): r
        default: nil
        }
    }
}
