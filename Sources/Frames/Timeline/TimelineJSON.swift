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
public struct TimelineJSONWrite: TimelineJSONMessage, Hashable, Sendable {
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
        score = try container.decodeScore(.score)
        member = try container.decode(String.self, forKey: .member)
    }

    /// Writes `{"key":K,"score":S,"member":M}`.
    public func writeJSON(to text: inout TimelineJSONText) throws(TimelineCodecError) {
        try text.object { (text) throws(TimelineCodecError) in try writeFields(to: &text) }
    }

    /// Writes the write's fields, in the order of contract 2, into the object being written
    /// (a batch's element, or a single insert or delete after its `op`).
    func writeFields(to text: inout TimelineJSONText) throws(TimelineCodecError) {
        text.field("key", key)
        text.field("score")
        try text.score(score)
        text.field("member", member)
    }
}

/// A range's cursor as JSON: `{"score":S,"member":M}`.
public struct TimelineJSONCursor: TimelineJSONMessage, Hashable, Sendable {
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
        score = try container.decodeScore(.score)
        member = try container.decode(String.self, forKey: .member)
    }

    /// Writes `{"score":S,"member":M}`.
    public func writeJSON(to text: inout TimelineJSONText) throws(TimelineCodecError) {
        try text.object { (text) throws(TimelineCodecError) in
            text.field("score")
            try text.score(score)
            text.field("member", member)
        }
    }
}

extension TimelineJSONRequest: TimelineJSONMessage {
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
            let offset = try container.decodeCount(.offset)
            let limit = try container.decodeCount(.limit)
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
                limit: try container.decodeCount(.limit))
        case "tail":
            self = .tail(key: try container.decode(String.self, forKey: .key))
        default:
            throw TimelineCodecError.invalidJSON("unknown op \"\(op)\"")
        }
    }

    /// Writes the request with its fields in the order of contract 2.
    public func writeJSON(to text: inout TimelineJSONText) throws(TimelineCodecError) {
        try text.object { (text) throws(TimelineCodecError) in
            switch self {
            case let .insert(key, score, member), let .delete(key, score, member):
                text.field("op", isInsert ? "insert" : "delete")
                try TimelineJSONWrite(key: key, score: score, member: member).writeFields(to: &text)
            case let .select(key, offset, limit):
                text.field("op", "select")
                text.field("key", key)
                Self.writeWindow(offset: offset, limit: limit, to: &text)
            case let .tail(key):
                text.field("op", "tail")
                text.field("key", key)
            case let .insertBatch(writes), let .deleteBatch(writes):
                text.field("op", isInsert ? "insert" : "delete")
                text.field("writes")
                try text.array(writes) { (text, write) throws(TimelineCodecError) in try write.writeJSON(to: &text) }
            case let .selectKeys(keys, offset, limit):
                text.field("op", "select")
                text.field("keys")
                try text.array(keys) { text, key in text.string(key) }
                Self.writeWindow(offset: offset, limit: limit, to: &text)
            case let .range(key, start, stop, limit):
                text.field("op", "range")
                text.field("key", key)
                if let start {
                    text.field("start")
                    try start.writeJSON(to: &text)
                }
                if let stop {
                    text.field("stop")
                    try stop.writeJSON(to: &text)
                }
                text.field("limit")
                text.count(limit)
            }
        }
    }

    /// Writes a select's `"offset":O,"limit":L`.
    private static func writeWindow(offset: UInt32, limit: UInt32, to text: inout TimelineJSONText) {
        text.field("offset")
        text.count(offset)
        text.field("limit")
        text.count(limit)
    }

    private var isInsert: Bool {
        switch self {
        case .insert, .insertBatch: true
        default: false
        }
    }
}

/// One entry of a select result as JSON: `{"member":M,"score":S}`.
public struct TimelineJSONRecord: TimelineJSONMessage, Hashable, Sendable {
    /// The member.
    public var member: String
    /// Its score.
    public var score: Double

    /// A record of `member` with `score`.
    public init(member: String, score: Double) {
        self.member = member
        self.score = score
    }

    /// Writes `{"member":M,"score":S}`.
    public func writeJSON(to text: inout TimelineJSONText) throws(TimelineCodecError) {
        try text.object { (text) throws(TimelineCodecError) in
            text.field("member", member)
            text.field("score")
            try text.score(score)
        }
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

extension TimelineJSONResponse: TimelineJSONMessage {
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

    /// Writes `{"ok":true}`, `{"records":[...]}` or `{"results":{...}}` (its keys in the
    /// order of their UTF-8 bytes: a dictionary has no order of its own).
    public func writeJSON(to text: inout TimelineJSONText) throws(TimelineCodecError) {
        try text.object { (text) throws(TimelineCodecError) in
            switch self {
            case .ok:
                text.field("ok")
                text.true()
            case .records(let records):
                text.field("records")
                try Self.writeList(records, to: &text)
            case .results(let results):
                text.field("results")
                try text.object { (text) throws(TimelineCodecError) in
                    for key in results.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                        text.field(key)
                        try Self.writeList(results[key]!, to: &text)
                    }
                }
            }
        }
    }

    /// Writes `[{"member":M,"score":S},...]`.
    private static func writeList(_ records: [TimelineJSONRecord], to text: inout TimelineJSONText) throws(TimelineCodecError) {
        try text.array(records) { (text, record) throws(TimelineCodecError) in try record.writeJSON(to: &text) }
    }
}

/// Encodes JSON timeline messages (each in the field order of contract 2, through
/// ``TimelineJSONText``) and decodes them with Foundation's `JSONDecoder`, turning every
/// failure into a `TimelineCodecError`. Keep one per thread and reuse it.
public struct TimelineJSONCodec {
    private let decoder = JSONDecoder()

    /// A codec (non-finite numbers are refused both ways).
    public init() {}

    /// The JSON of `message` (a request, response or record).
    public func encode(_ message: some TimelineJSONMessage) throws(TimelineCodecError) -> Data {
        var text = TimelineJSONText()
        try message.writeJSON(to: &text)
        return Data(text.bytes)
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

    /// Keeps a `TimelineCodecError` thrown by a message's own decoding; turns the decoder's
    /// errors into reasons that name the field (`writes[1].score`) as the message spells it.
    private static func codecError(_ error: any Error) -> TimelineCodecError {
        if let error = error as? TimelineCodecError { return error }
        guard let error = error as? DecodingError else { return .invalidJSON(String(describing: error)) }
        switch error {
        case let .keyNotFound(key, context):
            return .invalidJSON("missing field \"\(fieldPath(context.codingPath + [key]))\"")
        case let .valueNotFound(type, context):
            return .invalidJSON("field \"\(fieldPath(context.codingPath))\" is null, not \(kind(type))")
        case let .typeMismatch(type, context):
            return .invalidJSON("field \"\(fieldPath(context.codingPath))\" is not \(kind(type))")
        case let .dataCorrupted(context):
            guard !context.codingPath.isEmpty else { return .invalidJSON("not a JSON document") }
            return .invalidJSON("field \"\(fieldPath(context.codingPath))\": \(context.debugDescription)")
        @unknown default:
            return .invalidJSON(String(describing: error))
        }
    }

    /// `path` as the message spells it: `writes[1].score`.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    /// What a value of `type` is called in JSON.
    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type: return "a number"
        case is UInt32.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        default:
            // The decoder names the containers it expected as `Array<Any>` and
            // `Dictionary<String, Any>`.
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a value of type \(name)"
        }
    }
}

extension KeyedDecodingContainer {
    /// The whole number from 0 to 2^32 - 1 under `key` (an offset or a limit); one out of
    /// range is `.invalidJSON` naming the field (the decoder itself reports it as a document
    /// that is not JSON).
    func decodeCount(_ key: Key) throws -> UInt32 {
        do {
            return try decode(UInt32.self, forKey: key)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw TimelineCodecError.invalidJSON(
                "field \"\(TimelineJSONCodec.fieldPath(codingPath + [key]))\" must be a whole number from 0 to \(UInt32.max)")
        }
    }

    /// The finite score under `key`; NaN or an infinity is `.nonFiniteScore`, a number out of
    /// a Double's range `.invalidJSON` naming the field.
    func decodeScore(_ key: Key) throws -> Double {
        let score: Double
        do {
            score = try decode(Double.self, forKey: key)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw TimelineCodecError.invalidJSON(
                "field \"\(TimelineJSONCodec.fieldPath(codingPath + [key]))\" is out of the range of a finite double")
        }
        try TimelineBinaryLayout.checkScore(score)
        return score
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
