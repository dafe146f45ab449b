import Foundation
import Frames
import LWWSet
import Testing
import Timeline

/// What the engine sent, in order, with the token it named.
enum Reply: Equatable, CustomStringConvertible {
    case response(UInt64, [UInt8])
    case event(UInt64, [UInt8])
    case error(UInt64, code: UInt32, reason: String)
    case complete(UInt64)

    var token: UInt64 {
        switch self {
        case .response(let token, _), .event(let token, _), .error(let token, _, _), .complete(let token): token
        }
    }

    var description: String {
        switch self {
        case let .response(token, bytes): "response(\(token), \(String(decoding: bytes, as: UTF8.self)))"
        case let .event(token, bytes): "event(\(token), \(bytes.count) bytes)"
        case let .error(token, code, reason): "error(\(token), 0x\(String(code, radix: 16)), \(reason))"
        case let .complete(token): "complete(\(token))"
        }
    }
}

/// An output that records everything; `refusing` makes `emit` refuse events.
struct RecordingOutput: TimelineEngineOutput {
    var replies: [Reply] = []
    var refusing = false

    mutating func respond(to token: TimelineReplyToken, with data: some FrameEncodable) {
        var bytes = [UInt8](repeating: 0, count: data.encodedByteCount)
        bytes.withUnsafeMutableBytes { data.unsafeEncode(into: $0) }
        replies.append(.response(token.rawValue, bytes))
    }

    mutating func emit(to token: TimelineReplyToken, event: some FrameEncodable) -> Bool {
        guard !refusing else { return false }
        var bytes = [UInt8](repeating: 0, count: event.encodedByteCount)
        bytes.withUnsafeMutableBytes { event.unsafeEncode(into: $0) }
        replies.append(.event(token.rawValue, bytes))
        return true
    }

    mutating func fail(_ token: TimelineReplyToken, code: ErrorCode, reason: String) {
        replies.append(.error(token.rawValue, code: code.rawValue, reason: reason))
    }

    mutating func complete(_ token: TimelineReplyToken) {
        replies.append(.complete(token.rawValue))
    }

    /// The replies recorded since the last call.
    mutating func take() -> [Reply] {
        defer { replies = [] }
        return replies
    }
}

/// An observer that records the accepted writes.
struct RecordingObserver: TimelineWriteObserver {
    var writes: [TimelineJSONRequest] = []

    mutating func accepted(_ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) {
        let key = String(decoding: key, as: UTF8.self)
        let member = String(decoding: member, as: UTF8.self)
        writes.append(kind == .insert ? .insert(key: key, score: score, member: member) : .delete(key: key, score: score, member: member))
    }
}

/// One client connection: sends requests in its encoding with fresh tokens, and reads the
/// engine's answers back as JSON values (binary ones converted).
struct Client {
    let connection: TimelineConnection
    let encoding: TimelineEncoding
    private var nextToken: UInt64
    private let codec = TimelineJSONCodec()

    init(_ number: UInt64, _ encoding: TimelineEncoding) {
        connection = TimelineConnection(rawValue: number)
        self.encoding = encoding
        nextToken = number << 32
    }

    /// The bytes of `request` in this client's encoding.
    func encode(_ request: TimelineJSONRequest) throws -> [UInt8] {
        switch encoding {
        case .json:
            return Array(try codec.encode(request))
        case .binary:
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
            defer { scratch.deallocate() }
            return try request.withBinary(scratch: scratch) { (binary) throws(TimelineCodecError) in
                var bytes = [UInt8](repeating: 0, count: binary.encodedByteCount)
                bytes.withUnsafeMutableBytes { binary.unsafeEncode(into: $0) }
                return bytes
            }
        }
    }

    /// Submits `request` and returns its token.
    @discardableResult
    mutating func send(
        _ request: TimelineJSONRequest, _ interaction: TimelineInteraction = .requestResponse, to engine: TimelineEngine
    ) throws -> UInt64 {
        sendRaw(try encode(request), interaction, to: engine)
    }

    /// Submits `bytes` as they are and returns the token.
    @discardableResult
    mutating func sendRaw(_ bytes: [UInt8], _ interaction: TimelineInteraction = .requestResponse, to engine: TimelineEngine) -> UInt64 {
        nextToken += 1
        let token = nextToken
        bytes.withUnsafeBytes { engine.submit($0, encoding: encoding, interaction: interaction, connection: connection, token: TimelineReplyToken(rawValue: token)) }
        return token
    }

    /// A response's bytes read as JSON values.
    func response(_ bytes: [UInt8]) throws -> TimelineJSONResponse {
        try bytes.withUnsafeBytes { (raw) throws(TimelineCodecError) in
            switch encoding {
            case .json: try codec.decode(TimelineJSONResponse.self, from: raw)
            case .binary: try TimelineJSONResponse(try TimelineResponse(decoding: raw))
            }
        }
    }

    /// A tail event's bytes read as JSON values.
    func event(_ bytes: [UInt8]) throws -> TimelineJSONRequest {
        try bytes.withUnsafeBytes { (raw) throws(TimelineCodecError) in
            switch encoding {
            case .json: try codec.decode(TimelineJSONRequest.self, from: raw)
            case .binary: try TimelineJSONRequest(try TimelineRequest(decoding: raw))
            }
        }
    }

    /// The answers to `token` among `replies`, read as JSON responses.
    func responses(to token: UInt64, in replies: [Reply]) throws -> [TimelineJSONResponse] {
        try replies.compactMap { reply in
            guard case let .response(to, bytes) = reply, to == token else { return nil }
            return try response(bytes)
        }
    }

    /// The single answer to `token`, which must be a response.
    func response(to token: UInt64, in replies: [Reply]) throws -> TimelineJSONResponse {
        let answers = try responses(to: token, in: replies)
        try #require(answers.count == 1, "expected one response to \(token) in \(replies)")
        return answers[0]
    }

    /// The tail events sent on `token`, read as JSON requests.
    func events(on token: UInt64, in replies: [Reply]) throws -> [TimelineJSONRequest] {
        try replies.compactMap { reply in
            guard case let .event(to, bytes) = reply, to == token else { return nil }
            return try event(bytes)
        }
    }
}

/// Records as JSON values: `record("a", 2)`.
func record(_ member: String, _ score: Double) -> TimelineJSONRecord { TimelineJSONRecord(member: member, score: score) }

/// A write as JSON values.
func write(_ key: String, _ score: Double, _ member: String) -> TimelineJSONWrite { TimelineJSONWrite(key: key, score: score, member: member) }

/// The errors among `replies`.
func errors(_ replies: [Reply]) -> [Reply] {
    replies.filter { if case .error = $0 { true } else { false } }
}
