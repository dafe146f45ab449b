// The JSON encoding of timeline messages (DESIGN, contract 2): what JSON clients speak, and
// the baseline the binary layout is measured against. The only file that uses Foundation.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A timeline request, or a tail stream's event, as JSON (DESIGN, contract 2):
/// `{"op":"insert","key":K,"score":S,"member":M}` (and delete),
/// `{"op":"insert","writes":[{"key":K,"score":S,"member":M},...]}` (and delete),
/// `{"op":"select","key":K,"offset":O,"limit":L}`, `{"op":"select","keys":[K1,...],"offset":O,"limit":L}`,
/// `{"op":"range","key":K,"start":{"score":S,"member":M},"stop":{...},"limit":L}` (start and
/// stop optional), `{"op":"tail","key":K}`. Keys and members are strings; scores are finite.
public enum TimelineJSONRequest: Hashable, Sendable {
    /// Insert `member` with `score` under `key`.
    case insert(key: String, score: Double, member: String)
    /// Delete `member` with `score` under `key`.
    case delete(key: String, score: Double, member: String)
    /// At most `limit` entries of `key` after skipping `offset`.
    case select(key: String, offset: UInt32, limit: UInt32)
    /// Follow `key`'s accepted writes.
    case tail(key: String)
    /// Insert every write, in order (one Roshi POST body).
    case insertBatch(writes: [TimelineJSONWrite])
    /// Delete every write, in order.
    case deleteBatch(writes: [TimelineJSONWrite])
    /// At most `limit` entries of each of `keys` after skipping `offset` in each.
    case selectKeys(keys: [String], offset: UInt32, limit: UInt32)
    /// At most `limit` entries of `key` strictly after `start` and strictly before `stop`
    /// (nil: the top and the bottom).
    case range(key: String, start: TimelineJSONCursor?, stop: TimelineJSONCursor?, limit: UInt32)

    /// The same request read from the binary layout; throws `.invalidUTF8` when a key or
    /// member is not UTF-8 (JSON carries strings).
    public init(_ request: TimelineRequest) throws(TimelineCodecError) {
        switch request.operation {
        case .insert, .delete:
            let key = try Self.string(request.unsafeKey, .key)
            let member = try Self.string(request.unsafeMember, .member)
            self = request.operation == .insert
                ? .insert(key: key, score: request.score, member: member) : .delete(key: key, score: request.score, member: member)
        case .select: self = .select(key: try Self.string(request.unsafeKey, .key), offset: request.offset, limit: request.limit)
        case .tail: self = .tail(key: try Self.string(request.unsafeKey, .key))
        case .insertBatch, .deleteBatch:
            var writes: [TimelineJSONWrite] = []
            writes.reserveCapacity(request.writes.count)
            for write in request.writes {
                writes.append(TimelineJSONWrite(
                    key: try Self.string(write.unsafeKey, .key), score: write.score, member: try Self.string(write.unsafeMember, .member)))
            }
            self = request.operation == .insertBatch ? .insertBatch(writes: writes) : .deleteBatch(writes: writes)
        case .selectKeys:
            var keys: [String] = []
            keys.reserveCapacity(request.keys.count)
            for key in request.keys { keys.append(try Self.string(key, .key)) }
            self = .selectKeys(keys: keys, offset: request.offset, limit: request.limit)
        case .range:
            self = .range(
                key: try Self.string(request.unsafeKey, .key), start: try request.start.map { (cursor) throws(TimelineCodecError) in
                    TimelineJSONCursor(score: cursor.score, member: try Self.string(cursor.unsafeMember, .start))
                }, stop: try request.stop.map { (cursor) throws(TimelineCodecError) in
                    TimelineJSONCursor(score: cursor.score, member: try Self.string(cursor.unsafeMember, .stop))
                }, limit: request.limit)
        }
    }

    /// The bytes as a string, or `.invalidUTF8` naming `field`.
    static func string(_ bytes: UnsafeRawBufferPointer, _ field: TimelineField) throws(TimelineCodecError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return string
    }
}

/// One write of a JSON batch: `{"key":K,"score":S,"member":M}`.
public struct TimelineJSONWrite: Codable, Hashable, Sendable {
    /// The key.
    public var key: String
    /// The score (finite).
    public var score: Double
    /// The member.
    public var member: String

    /// A write of `member` with `score` under `key`.
    public init(key: String, score: Double, member: String) {
        self.key = key
        self.score = score
        self.member = member
    }

    private enum CodingKeys: String, CodingKey {
        case key, score, member
    }

    /// Reads a write; a non-finite score is `.nonFiniteScore`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        score = try container.decode(Double.self, forKey: .score)
        try TimelineBinaryLayout.checkScore(score)
        member = try container.decode(String.self, forKey: .member)
    }

    /// Writes the write's fields in the order of contract 2.
    public func encode(to encoder: any Encoder) throws {
        try TimelineBinaryLayout.checkScore(score)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(score, forKey: .score)
        try container.encode(member, forKey: .member)
    }
}

/// A range's cursor as JSON: `{"score":S,"member":M}`.
public struct TimelineJSONCursor: Codable, Hashable, Sendable {
    /// The cursor's score (finite).
    public var score: Double
    /// The cursor's member (may be empty).
    public var member: String

    /// A cursor at `score` and `member`.
    public init(score: Double, member: String) {
        self.score = score
        self.member = member
    }

    private enum CodingKeys: String, CodingKey {
        case score, member
    }

    /// Reads a cursor; a non-finite score is `.nonFiniteScore`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        score = try container.decode(Double.self, forKey: .score)
        try TimelineBinaryLayout.checkScore(score)
        member = try container.decode(String.self, forKey: .member)
    }

    /// Writes `{"score":S,"member":M}`.
    public func encode(to encoder: any Encoder) throws {
        try TimelineBinaryLayout.checkScore(score)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(score, forKey: .score)
        try container.encode(member, forKey: .member)
    }
}

extension TimelineJSONRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case op, key, score, member, offset, limit, writes, keys, start, stop
    }

    /// Reads a request; throws `TimelineCodecError.invalidJSON` (through the decoder) for an
    /// unknown `op`, `.nonFiniteScore` for a score out of range, and the decoder's error (which
    /// names the field) for a missing or mistyped field. An insert or delete with `writes` is
    /// a batch, a select with `keys` a select of several keys.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let op = try container.decode(String.self, forKey: .op)
        switch op {
        case "insert", "delete":
            if let writes = try container.decodeIfPresent([TimelineJSONWrite].self, forKey: .writes) {
                self = op == "insert" ? .insertBatch(writes: writes) : .deleteBatch(writes: writes)
                return
            }
            let write = try TimelineJSONWrite(from: decoder)
            self = op == "insert"
                ? .insert(key: write.key, score: write.score, member: write.member)
                : .delete(key: write.key, score: write.score, member: write.member)
        case "select":
            let offset = try container.decode(UInt32.self, forKey: .offset)
            let limit = try container.decode(UInt32.self, forKey: .limit)
            if let keys = try container.decodeIfPresent([String].self, forKey: .keys) {
                self = .selectKeys(keys: keys, offset: offset, limit: limit)
            } else {
                self = .select(key: try container.decode(String.self, forKey: .key), offset: offset, limit: limit)
            }
        case "range":
            self = .range(
                key: try container.decode(String.self, forKey: .key),
                start: try container.decodeIfPresent(TimelineJSONCursor.self, forKey: .start),
                stop: try container.decodeIfPresent(TimelineJSONCursor.self, forKey: .stop),
                limit: try container.decode(UInt32.self, forKey: .limit))
        case "tail":
            self = .tail(key: try container.decode(String.self, forKey: .key))
        default:
            throw TimelineCodecError.invalidJSON("unknown op \"\(op)\"")
        }
    }

    /// Writes the request with its fields in the order of contract 2.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .insert(key, score, member), let .delete(key, score, member):
            try container.encode(self.isInsert ? "insert" : "delete", forKey: .op)
            try TimelineJSONWrite(key: key, score: score, member: member).encode(to: encoder)
        case let .select(key, offset, limit):
            try container.encode("select", forKey: .op)
            try container.encode(key, forKey: .key)
            try container.encode(offset, forKey: .offset)
            try container.encode(limit, forKey: .limit)
        case let .tail(key):
            try container.encode("tail", forKey: .op)
            try container.encode(key, forKey: .key)
        case let .insertBatch(writes), let .deleteBatch(writes):
            try container.encode(self.isInsert ? "insert" : "delete", forKey: .op)
            try container.encode(writes, forKey: .writes)
        case let .selectKeys(keys, offset, limit):
            try container.encode("select", forKey: .op)
            try container.encode(keys, forKey: .keys)
            try container.encode(offset, forKey: .offset)
            try container.encode(limit, forKey: .limit)
        case let .range(key, start, stop, limit):
            try container.encode("range", forKey: .op)
            try container.encode(key, forKey: .key)
            try container.encodeIfPresent(start, forKey: .start)
            try container.encodeIfPresent(stop, forKey: .stop)
            try container.encode(limit, forKey: .limit)
        }
    }

    private var isInsert: Bool {
        switch self {
        case .insert, .insertBatch: true
        default: false
        }
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

/// A timeline response as JSON: `{"ok":true}`, `{"records":[{"member":M,"score":S},...]}`
/// or, for a select of several keys, `{"results":{"K1":[{"member":M,"score":S},...],...}}`.
public enum TimelineJSONResponse: Hashable, Sendable {
    /// The write was accepted.
    case ok
    /// The select's result, highest score first.
    case records([TimelineJSONRecord])
    /// The result of a select of several keys: each key's records, highest score first.
    case results([String: [TimelineJSONRecord]])

    /// The same response read from the binary layout; throws `.invalidUTF8` when a member is
    /// not UTF-8.
    public init(_ response: TimelineResponse) throws(TimelineCodecError) {
        switch response {
        case .ok:
            self = .ok
        case .records(let records):
            self = .records(try Self.list(records))
        case .results(let results):
            var map: [String: [TimelineJSONRecord]] = [:]
            for result in results {
                map[try TimelineJSONRequest.string(result.unsafeKey, .key)] = try Self.list(result.records)
            }
            self = .results(map)
        }
    }

    /// The records as JSON records.
    private static func list(_ records: TimelineRecords) throws(TimelineCodecError) -> [TimelineJSONRecord] {
        var list: [TimelineJSONRecord] = []
        list.reserveCapacity(records.count)
        for record in records {
            list.append(TimelineJSONRecord(member: try TimelineJSONRequest.string(record.unsafeMember, .member), score: record.score))
        }
        return list
    }
}

extension TimelineJSONResponse: Codable {
    private enum CodingKeys: String, CodingKey {
        case ok, records, results
    }

    /// Reads `{"ok":true}`, `{"records":[...]}` or `{"results":{...}}`; anything else is
    /// `.invalidJSON`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let records = try container.decodeIfPresent([TimelineJSONRecord].self, forKey: .records) {
            for record in records { try TimelineBinaryLayout.checkScore(record.score) }
            self = .records(records)
        } else if let results = try container.decodeIfPresent([String: [TimelineJSONRecord]].self, forKey: .results) {
            for record in results.values.joined() { try TimelineBinaryLayout.checkScore(record.score) }
            self = .results(results)
        } else if try container.decodeIfPresent(Bool.self, forKey: .ok) == true {
            self = .ok
        } else {
            throw TimelineCodecError.invalidJSON("a response needs \"records\", \"results\" or \"ok\":true")
        }
    }

    /// Writes `{"ok":true}`, `{"records":[...]}` or `{"results":{...}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .ok: try container.encode(true, forKey: .ok)
        case .records(let records):
            for record in records { try TimelineBinaryLayout.checkScore(record.score) }
            try container.encode(records, forKey: .records)
        case .results(let results):
            for record in results.values.joined() { try TimelineBinaryLayout.checkScore(record.score) }
            try container.encode(results, forKey: .results)
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
