import SeededRandom
@testable import Frames

/// A frame as plain values, owning its bytes: what the property tests generate, write with
/// `FrameWriter`, read back with `FrameReader` and compare.
struct FrameSpec: Equatable, CustomStringConvertible {
    var streamID: UInt32
    var kind: Kind
    var metadata: [UInt8]?
    var data: [UInt8]

    enum Kind: Equatable {
        case setup(major: UInt16, minor: UInt16, keepalive: UInt32, lifetime: UInt32, token: [UInt8]?, lease: Bool,
                   metadataMIME: String, dataMIME: String)
        case lease(timeToLive: UInt32, requests: UInt32)
        case keepalive(respond: Bool, position: UInt64)
        case requestResponse(follows: Bool)
        case requestFireAndForget(follows: Bool)
        case requestStream(n: UInt32, follows: Bool)
        case requestChannel(n: UInt32, follows: Bool, complete: Bool)
        case requestN(UInt32)
        case cancel
        case payload(next: Bool, complete: Bool, follows: Bool)
        case error(ErrorCode)
        case metadataPush
        case resume(major: UInt16, minor: UInt16, token: [UInt8], server: UInt64, client: UInt64)
        case resumeOK(UInt64)
        case ext(type: UInt32, ignore: Bool)
        case ignored(FrameType)
    }

    var description: String { "FrameSpec(stream \(streamID), \(kind), metadata \(metadata?.count ?? -1) B, data \(data.count) B)" }

    /// Writes the frame with the `FrameWriter` method for its type.
    func write(to writer: inout FrameWriter) throws {
        try withOptionalBytes(metadata) { metadata in
            switch kind {
            case let .setup(major, minor, keepalive, lifetime, token, lease, metadataMIME, dataMIME):
                try withOptionalBytes(token) { token in
                    try writer.writeSetup(
                        keepaliveInterval: keepalive, maxLifetime: lifetime, metadataMIMEType: metadataMIME,
                        dataMIMEType: dataMIME, majorVersion: major, minorVersion: minor, resumeToken: token,
                        lease: lease, metadata: metadata, data: data)
                }
            case let .lease(timeToLive, requests):
                try writer.writeLease(timeToLive: timeToLive, numberOfRequests: requests, metadata: metadata)
            case let .keepalive(respond, position):
                try writer.writeKeepalive(respond: respond, lastReceivedPosition: position, data: data)
            case let .requestResponse(follows):
                try writer.writeRequestResponse(streamID: streamID, metadata: metadata, data: data, follows: follows)
            case let .requestFireAndForget(follows):
                try writer.writeRequestFireAndForget(streamID: streamID, metadata: metadata, data: data, follows: follows)
            case let .requestStream(n, follows):
                try writer.writeRequestStream(streamID: streamID, initialRequestN: n, metadata: metadata, data: data, follows: follows)
            case let .requestChannel(n, follows, complete):
                try writer.writeRequestChannel(
                    streamID: streamID, initialRequestN: n, metadata: metadata, data: data, follows: follows, complete: complete)
            case let .requestN(n):
                try writer.writeRequestN(streamID: streamID, requestN: n)
            case .cancel:
                try writer.writeCancel(streamID: streamID)
            case let .payload(next, complete, follows):
                try writer.writePayload(
                    streamID: streamID, next: next, complete: complete, follows: follows, metadata: metadata, data: data)
            case let .error(code):
                try writer.writeError(streamID: streamID, code: code, reason: data)
            case .metadataPush:
                try writer.writeMetadataPush(metadata: metadata ?? .empty)
            case let .resume(major, minor, token, server, client):
                try token.withUnsafeBytes { token in
                    try writer.writeResume(
                        resumeToken: token, lastReceivedServerPosition: server, firstAvailableClientPosition: client,
                        majorVersion: major, minorVersion: minor)
                }
            case let .resumeOK(position):
                try writer.writeResumeOK(lastReceivedClientPosition: position)
            case let .ext(type, ignore):
                try writer.writeExtension(streamID: streamID, extendedType: type, ignore: ignore, metadata: metadata, data: data)
            case .ignored:
                preconditionFailure("FrameWriter does not write unknown frame types")
            }
        }
    }

    /// The frame a reader read, copied into owned values.
    init(_ frame: FrameReader) {
        streamID = frame.streamID
        metadata = frame.unsafeMetadata.map(Array.init)
        data = Array(frame.unsafeData)
        switch frame.fields {
        case let .setup(fields):
            kind = .setup(
                major: fields.majorVersion, minor: fields.minorVersion, keepalive: fields.keepaliveInterval,
                lifetime: fields.maxLifetime, token: fields.unsafeResumeToken.map(Array.init), lease: frame.flags.contains(.lease),
                metadataMIME: String(decoding: fields.unsafeMetadataMIMEType, as: UTF8.self),
                dataMIME: String(decoding: fields.unsafeDataMIMEType, as: UTF8.self))
        case let .lease(timeToLive, requests): kind = .lease(timeToLive: timeToLive, requests: requests)
        case let .keepalive(position): kind = .keepalive(respond: frame.respond, position: position)
        case .requestResponse: kind = .requestResponse(follows: frame.follows)
        case .requestFireAndForget: kind = .requestFireAndForget(follows: frame.follows)
        case let .requestStream(n): kind = .requestStream(n: n, follows: frame.follows)
        case let .requestChannel(n): kind = .requestChannel(n: n, follows: frame.follows, complete: frame.complete)
        case let .requestN(n): kind = .requestN(n)
        case .cancel: kind = .cancel
        case .payload: kind = .payload(next: frame.next, complete: frame.complete, follows: frame.follows)
        case let .error(code): kind = .error(code)
        case .metadataPush: kind = .metadataPush
        case let .resume(fields):
            kind = .resume(
                major: fields.majorVersion, minor: fields.minorVersion, token: Array(fields.unsafeResumeToken),
                server: fields.lastReceivedServerPosition, client: fields.firstAvailableClientPosition)
        case let .resumeOK(position): kind = .resumeOK(position)
        case let .ext(type): kind = .ext(type: type, ignore: frame.flags.contains(.ignore))
        case .ignored: kind = .ignored(frame.type)
        }
    }

    init(streamID: UInt32, kind: Kind, metadata: [UInt8]? = nil, data: [UInt8] = []) {
        self.streamID = streamID
        self.kind = kind
        self.metadata = metadata
        self.data = data
    }

    /// A random valid frame: every type, every flag, random field values and payload sizes.
    static func random(using random: inout SplitMix64) -> FrameSpec {
        let stream = random.uint31(positive: true)
        let metadata: [UInt8]? = Bool.random(using: &random) ? random.bytes() : nil
        let data = random.bytes()
        func flag() -> Bool { Bool.random(using: &random) }
        switch Int.random(in: 0..<15, using: &random) {
        case 0:
            let token: [UInt8]? = flag() ? random.bytes() : nil
            return FrameSpec(
                streamID: 0,
                kind: .setup(
                    major: .random(in: 0...3, using: &random), minor: .random(in: 0...3, using: &random),
                    keepalive: random.uint31(positive: true), lifetime: random.uint31(positive: true), token: token,
                    lease: flag(), metadataMIME: flag() ? "application/json" : "",
                    dataMIME: TimelineEncoding.allCases.randomElement(using: &random)!.mimeType),
                metadata: metadata, data: data)
        case 1:
            return FrameSpec(streamID: 0, kind: .lease(timeToLive: random.uint31(), requests: random.uint31()), metadata: metadata)
        case 2:
            return FrameSpec(streamID: 0, kind: .keepalive(respond: flag(), position: random.uint63()), data: data)
        case 3: return FrameSpec(streamID: stream, kind: .requestResponse(follows: flag()), metadata: metadata, data: data)
        case 4: return FrameSpec(streamID: stream, kind: .requestFireAndForget(follows: flag()), metadata: metadata, data: data)
        case 5:
            return FrameSpec(
                streamID: stream, kind: .requestStream(n: random.uint31(positive: true), follows: flag()), metadata: metadata,
                data: data)
        case 6:
            return FrameSpec(
                streamID: stream, kind: .requestChannel(n: random.uint31(positive: true), follows: flag(), complete: flag()),
                metadata: metadata, data: data)
        case 7: return FrameSpec(streamID: stream, kind: .requestN(random.uint31(positive: true)))
        case 8: return FrameSpec(streamID: stream, kind: .cancel)
        case 9:
            let next = flag()
            return FrameSpec(
                streamID: stream, kind: .payload(next: next, complete: !next || flag(), follows: flag()), metadata: metadata,
                data: data)
        case 10:
            let codes: [ErrorCode] = [.invalidSetup, .connectionError, .applicationError, .invalid, ErrorCode(rawValue: .random(in: 0...UInt32.max, using: &random))]
            return FrameSpec(streamID: flag() ? 0 : stream, kind: .error(codes.randomElement(using: &random)!), data: Array(random.string().utf8))
        case 11: return FrameSpec(streamID: 0, kind: .metadataPush, metadata: metadata ?? [])
        case 12:
            return FrameSpec(
                streamID: 0,
                kind: .resume(
                    major: 1, minor: 0, token: random.bytes(), server: random.uint63(), client: random.uint63()))
        case 13: return FrameSpec(streamID: 0, kind: .resumeOK(random.uint63()))
        default:
            return FrameSpec(streamID: flag() ? 0 : stream, kind: .ext(type: random.uint31(), ignore: flag()), metadata: metadata, data: data)
        }
    }

    /// The encoded frame (bare).
    func encoded() throws -> [UInt8] {
        try written(capacity: 1024) { writer in try write(to: &writer) }
    }

    /// The shortest prefix of the encoded frame that is still a valid frame: bytes that run
    /// to the end of the frame (data, or LEASE and METADATA_PUSH metadata) can be cut, any
    /// other byte cannot.
    var shortestValidLength: Int {
        get throws {
            let full = try encoded().count
            switch kind {
            case .lease, .metadataPush: return full - (metadata?.count ?? 0)
            case .requestN, .cancel, .resume, .resumeOK: return full
            default: return full - data.count
            }
        }
    }
}

/// Calls `body` with a view of `bytes`, or nil.
func withOptionalBytes<Result>(
    _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> Result
) rethrows -> Result {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { raw in try body(raw) }
}
