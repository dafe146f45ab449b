// The JSON encoding of timeline messages (DESIGN, contract 2): what JSON clients speak, and
// the baseline the binary layout is measured against. The only file that uses Foundation.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A timeline request, or a tail stream's event, as JSON:
/// `{"op":"insert","key":K,"score":S,"member":M}`, `{"op":"select","key":K,"offset":O,"limit":L}`,
/// `{"op":"tail","key":K}`. Keys and members are strings; scores are finite.
public enum TimelineJSONRequest: Hashable, Sendable {
    /// Insert `member` with `score` under `key`.
    case insert(key: String, score: Double, member: String)
    /// Delete `member` with `score` under `key`.
    case delete(key: String, score: Double, member: String)
    /// At most `limit` entries of `key` after skipping `offset`.
    case select(key: String, offset: UInt32, limit: UInt32)
    /// Follow `key`'s accepted writes.
    case tail(key: String)

    /// The same request read from the binary layout; throws `.invalidUTF8` when the key or
    /// member is not UTF-8 (JSON carries strings).
    public init(_ request: TimelineRequest) throws(TimelineCodecError) {
        let key = try Self.string(request.key, .key)
        switch request.operation {
        case .insert: self = .insert(key: key, score: request.score, member: try Self.string(request.member, .member))
        case .delete: self = .delete(key: key, score: request.score, member: try Self.string(request.member, .member))
        case .select: self = .select(key: key, offset: request.offset, limit: request.limit)
        case .tail: self = .tail(key: key)
        }
    }

    /// The bytes as a string, or `.invalidUTF8` naming `field`.
    static func string(_ bytes: UnsafeRawBufferPointer, _ field: TimelineField) throws(TimelineCodecError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return string
    }
}

extension TimelineJSONRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case op, key, score, member, offset, limit
    }

    /// Reads a request; throws `TimelineCodecError.invalidJSON` (through the decoder) for an
    /// unknown `op`, `.nonFiniteScore` for a score out of range, and the decoder's error for
    /// a missing or mistyped field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let op = try container.decode(String.self, forKey: .op)
        let key = try container.decode(String.self, forKey: .key)
        switch op {
        case "insert", "delete":
            let score = try container.decode(Double.self, forKey: .score)
            try TimelineBinaryLayout.checkScore(score)
            let member = try container.decode(String.self, forKey: .member)
            self = op == "insert" ? .insert(key: key, score: score, member: member) : .delete(key: key, score: score, member: member)
        case "select":
            self = .select(
                key: key, offset: try container.decode(UInt32.self, forKey: .offset),
                limit: try container.decode(UInt32.self, forKey: .limit))
        case "tail":
            self = .tail(key: key)
        default:
            throw TimelineCodecError.invalidJSON("unknown op \"\(op)\"")
        }
    }

    /// Writes the request with its fields in the order of contract 2.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .insert(key, score, member), let .delete(key, score, member):
            try TimelineBinaryLayout.checkScore(score)
            try container.encode(self.isInsert ? "insert" : "delete", forKey: .op)
            try container.encode(key, forKey: .key)
            try container.encode(score, forKey: .score)
            try container.encode(member, forKey: .member)
        case let .select(key, offset, limit):
            try container.encode("select", forKey: .op)
            try container.encode(key, forKey: .key)
            try container.encode(offset, forKey: .offset)
            try container.encode(limit, forKey: .limit)
        case let .tail(key):
            try container.encode("tail", forKey: .op)
            try container.encode(key, forKey: .key)
        }
    }

    private var isInsert: Bool {
        if case .insert = self { true } else { false }
    }
}

/// One entry of a select result as JSON: `{"member":M,"score":S}`.
public struct TimelineJSONRecord: Codable, Hashable, Sendable {
    /// The member.
    public var member: String
    /// Its score.
    public var score: Double

    /// A record of `member` with `score`.
    public init(member: String, score: Double) {
        self.member = member
        self.score = score
    }
}

/// A timeline response as JSON: `{"ok":true}` or `{"records":[{"member":M,"score":S},...]}`.
public enum TimelineJSONResponse: Hashable, Sendable {
    /// The write was accepted.
    case ok
    /// The select's result, highest score first.
    case records([TimelineJSONRecord])

    /// The same response read from the binary layout; throws `.invalidUTF8` when a member is
    /// not UTF-8.
    public init(_ response: TimelineResponse) throws(TimelineCodecError) {
        switch response {
        case .ok:
            self = .ok
        case .records(let records):
            var list: [TimelineJSONRecord] = []
            list.reserveCapacity(records.count)
            for record in records {
                list.append(TimelineJSONRecord(member: try TimelineJSONRequest.string(record.member, .member), score: record.score))
            }
            self = .records(list)
        }
    }
}

extension TimelineJSONResponse: Codable {
    private enum CodingKeys: String, CodingKey {
        case ok, records
    }

    /// Reads `{"ok":true}` or `{"records":[...]}`; anything else is `.invalidJSON`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let records = try container.decodeIfPresent([TimelineJSONRecord].self, forKey: .records) {
            for record in records { try TimelineBinaryLayout.checkScore(record.score) }
            self = .records(records)
        } else if try container.decodeIfPresent(Bool.self, forKey: .ok) == true {
            self = .ok
        } else {
            throw TimelineCodecError.invalidJSON("a response needs \"records\" or \"ok\":true")
        }
    }

    /// Writes `{"ok":true}` or `{"records":[...]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .ok: try container.encode(true, forKey: .ok)
        case .records(let records):
            for record in records { try TimelineBinaryLayout.checkScore(record.score) }
            try container.encode(records, forKey: .records)
        }
    }
}

/// Encodes and decodes JSON timeline messages with Foundation's `JSONEncoder` and
/// `JSONDecoder`, turning every failure into a `TimelineCodecError`. Keep one per thread and
/// reuse it.
public struct TimelineJSONCodec {
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    /// A codec with Foundation's default settings (non-finite numbers are refused).
    public init() {}

    /// The JSON of `message` (a request, response or record).
    public func encode(_ message: some Encodable) throws(TimelineCodecError) -> Data {
        do {
            return try encoder.encode(message)
        } catch {
            throw Self.codecError(error)
        }
    }

    /// Reads a message of type `Message` from the JSON in `bytes` (a frame's data, not copied).
    public func decode<Message: Decodable>(_ type: Message.Type, from bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Message {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw .invalidJSON("empty message") }
        do {
            return try decoder.decode(type, from: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none))
        } catch {
            throw Self.codecError(error)
        }
    }

    /// Keeps a `TimelineCodecError` thrown by a message's own coding; wraps anything else.
    private static func codecError(_ error: any Error) -> TimelineCodecError {
        if let error = error as? TimelineCodecError { return error }
        return .invalidJSON(String(describing: error))
    }
}

extension Data: FrameEncodable {
    /// The data's size.
    public var encodedByteCount: Int { count }

    /// Copies the bytes (JSON messages into a frame).
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        withUnsafeBytes { buffer.unsafeCopy($0, at: 0) }
    }
}
