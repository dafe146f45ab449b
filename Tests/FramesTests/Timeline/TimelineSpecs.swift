import SeededRandom
@testable import Frames

/// A write of a batch as plain values.
struct WriteSpec: Equatable {
    var key: [UInt8]
    var score: Double
    var member: [UInt8]
}

/// A range cursor as plain values.
struct CursorSpec: Equatable {
    var score: Double
    var member: [UInt8]
}

/// A request as plain values, owning its bytes, for comparing what was written and read.
struct RequestSpec: Equatable {
    var operation: TimelineOperation
    var key: [UInt8] = []
    var member: [UInt8] = []
    var score: Double = 0
    var offset: UInt32 = 0
    var limit: UInt32 = 0
    var writes: [WriteSpec] = []
    var keys: [[UInt8]] = []
    var start: CursorSpec?
    var stop: CursorSpec?

    init(
        operation: TimelineOperation, key: [UInt8] = [], member: [UInt8] = [], score: Double = 0, offset: UInt32 = 0,
        limit: UInt32 = 0, writes: [WriteSpec] = [], keys: [[UInt8]] = [], start: CursorSpec? = nil, stop: CursorSpec? = nil
    ) {
        self.operation = operation
        self.key = key
        self.member = member
        self.score = score
        self.offset = offset
        self.limit = limit
        self.writes = writes
        self.keys = keys
        self.start = start
        self.stop = stop
    }

    init(_ request: TimelineRequest) {
        self.init(
            operation: request.operation, key: Array(request.unsafeKey), member: Array(request.unsafeMember), score: request.score,
            offset: request.offset, limit: request.limit,
            writes: request.writes.map { WriteSpec(key: Array($0.unsafeKey), score: $0.score, member: Array($0.unsafeMember)) },
            keys: request.keys.map { Array($0) },
            start: request.start.map { CursorSpec(score: $0.score, member: Array($0.unsafeMember)) },
            stop: request.stop.map { CursorSpec(score: $0.score, member: Array($0.unsafeMember)) })
    }

    static func random(using random: inout SplitMix64) -> RequestSpec {
        let key = random.bytes()
        switch TimelineOperation.allCases.randomElement(using: &random)! {
        case .insert: return RequestSpec(operation: .insert, key: key, member: random.bytes(), score: random.score())
        case .delete: return RequestSpec(operation: .delete, key: key, member: random.bytes(), score: random.score())
        case .select:
            return RequestSpec(operation: .select, key: key, offset: .random(in: 0...UInt32.max, using: &random), limit: .random(in: 0...UInt32.max, using: &random))
        case .tail: return RequestSpec(operation: .tail, key: key)
        case .insertBatch, .deleteBatch:
            let writes = (0..<Int.random(in: 0...8, using: &random)).map { _ in
                WriteSpec(key: random.bytes(maxLength: 40), score: random.score(), member: random.bytes(maxLength: 40))
            }
            return RequestSpec(operation: Bool.random(using: &random) ? .insertBatch : .deleteBatch, writes: writes)
        case .selectKeys:
            let keys = (0..<Int.random(in: 0...8, using: &random)).map { _ in random.bytes(maxLength: 40) }
            return RequestSpec(
                operation: .selectKeys, offset: .random(in: 0...UInt32.max, using: &random), limit: .random(in: 0...UInt32.max, using: &random), keys: keys)
        case .range:
            func cursor() -> CursorSpec? { Bool.random(using: &random) ? CursorSpec(score: random.score(), member: random.bytes(maxLength: 40)) : nil }
            return RequestSpec(operation: .range, key: key, limit: .random(in: 0...UInt32.max, using: &random), start: cursor(), stop: cursor())
        }
    }

    /// Calls `body` with the `TimelineRequest` over this spec's bytes (lists built by their
    /// writers in scratch buffers).
    func withRequest<Result>(_ body: (TimelineRequest) throws -> Result) throws -> Result {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { scratch.deallocate() }
        return try key.withUnsafeBytes { key in
            try member.withUnsafeBytes { member in
                switch operation {
                case .insert: return try body(try TimelineRequest.insert(key: key, score: score, member: member))
                case .delete: return try body(try TimelineRequest.delete(key: key, score: score, member: member))
                case .select: return try body(try TimelineRequest.select(key: key, offset: offset, limit: limit))
                case .tail: return try body(try TimelineRequest.tail(key: key))
                case .insertBatch, .deleteBatch:
                    var writer = TimelineWritesWriter(scratch)
                    for write in writes {
                        try write.key.withUnsafeBytes { key in
                            try write.member.withUnsafeBytes { member in try writer.append(key: key, score: write.score, member: member) }
                        }
                    }
                    return try body(operation == .insertBatch ? .insertBatch(writer.writes) : .deleteBatch(writer.writes))
                case .selectKeys:
                    var writer = TimelineKeysWriter(scratch)
                    for key in keys { try key.withUnsafeBytes { try writer.append($0) } }
                    return try body(.select(keys: writer.keys, offset: offset, limit: limit))
                case .range:
                    let startBytes = start?.member ?? []
                    let stopBytes = stop?.member ?? []
                    return try startBytes.withUnsafeBytes { startMember in
                        try stopBytes.withUnsafeBytes { stopMember in
                            try body(try .range(
                                key: key, start: start.map { TimelineCursor(score: $0.score, member: startMember) },
                                stop: stop.map { TimelineCursor(score: $0.score, member: stopMember) }, limit: limit))
                        }
                    }
                }
            }
        }
    }

    /// The binary encoding.
    func encoded() throws -> [UInt8] {
        try withRequest { request in
            var bytes = [UInt8](repeating: 0xAA, count: request.encodedByteCount)
            bytes.withUnsafeMutableBytes { request.unsafeEncode(into: $0) }
            return bytes
        }
    }
}

struct RecordSpec: Equatable {
    var member: [UInt8]
    var score: Double
}

/// A key's part of a results response as plain values.
struct KeyRecordsSpec: Equatable {
    var key: [UInt8]
    var records: [RecordSpec]
}

/// A response as plain values.
enum ResponseSpec: Equatable {
    case ok
    case records([RecordSpec])
    case results([KeyRecordsSpec])

    static func random(using random: inout SplitMix64) -> ResponseSpec {
        func records() -> [RecordSpec] {
            (0..<Int.random(in: 0...6, using: &random)).map { _ in RecordSpec(member: random.bytes(maxLength: 60), score: random.score()) }
        }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .ok
        case 1: return .records(records())
        default:
            return .results((0..<Int.random(in: 0...5, using: &random)).map { _ in KeyRecordsSpec(key: random.bytes(maxLength: 30), records: records()) })
        }
    }

    /// The binary encoding, built with the writers.
    func encoded() throws -> [UInt8] {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { scratch.deallocate() }
        let response: TimelineResponse
        switch self {
        case .ok: response = .ok
        case .records(let records):
            var writer = TimelineRecordsWriter(scratch)
            for record in records { try record.member.withUnsafeBytes { try writer.append(member: $0, score: record.score) } }
            response = .records(writer.records)
        case .results(let results):
            var writer = TimelineResultsWriter(scratch)
            for result in results {
                try result.key.withUnsafeBytes { try writer.appendKey($0) }
                for record in result.records { try record.member.withUnsafeBytes { try writer.appendRecord(member: $0, score: record.score) } }
            }
            response = .results(writer.results)
        }
        var bytes = [UInt8](repeating: 0xAA, count: response.encodedByteCount)
        bytes.withUnsafeMutableBytes { response.unsafeEncode(into: $0) }
        return bytes
    }
}

/// Decodes a binary request, or returns its error.
func decodeRequest(_ bytes: some Collection<UInt8>) -> Result<RequestSpec, TimelineCodecError> {
    withExactBytes(bytes) { raw in
        do throws(TimelineCodecError) {
            return .success(RequestSpec(try TimelineRequest(decoding: raw)))
        } catch {
            return .failure(error)
        }
    }
}

/// Decodes a binary response, or returns its error.
func decodeResponse(_ bytes: some Collection<UInt8>) -> Result<ResponseSpec, TimelineCodecError> {
    withExactBytes(bytes) { raw in
        do throws(TimelineCodecError) {
            switch try TimelineResponse(decoding: raw) {
            case .ok: return .success(.ok)
            case .records(let records): return .success(.records(records.map { RecordSpec(member: Array($0.unsafeMember), score: $0.score) }))
            case .results(let results):
                return .success(.results(results.map { result in
                    KeyRecordsSpec(key: Array(result.unsafeKey), records: result.records.map { RecordSpec(member: Array($0.unsafeMember), score: $0.score) })
                }))
            }
        } catch {
            return .failure(error)
        }
    }
}

/// Encodes `records` as a select response.
func encodeRecords(_ records: [RecordSpec]) throws -> [UInt8] {
    try ResponseSpec.records(records).encoded()
}
