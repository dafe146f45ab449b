import SeededRandom
import Testing
@testable import Frames

/// A request as plain values, owning its bytes, for comparing what was written and read.
struct RequestSpec: Equatable {
    var operation: TimelineOperation
    var key: [UInt8]
    var member: [UInt8] = []
    var score: Double = 0
    var offset: UInt32 = 0
    var limit: UInt32 = 0

    init(operation: TimelineOperation, key: [UInt8], member: [UInt8] = [], score: Double = 0, offset: UInt32 = 0, limit: UInt32 = 0) {
        self.operation = operation
        self.key = key
        self.member = member
        self.score = score
        self.offset = offset
        self.limit = limit
    }

    init(_ request: TimelineRequest) {
        self.init(
            operation: request.operation, key: Array(request.key), member: Array(request.member), score: request.score,
            offset: request.offset, limit: request.limit)
    }

    static func random(using random: inout SplitMix64) -> RequestSpec {
        let key = random.bytes()
        switch TimelineOperation.allCases.randomElement(using: &random)! {
        case .insert: return RequestSpec(operation: .insert, key: key, member: random.bytes(), score: random.score())
        case .delete: return RequestSpec(operation: .delete, key: key, member: random.bytes(), score: random.score())
        case .select:
            return RequestSpec(operation: .select, key: key, offset: .random(in: 0...UInt32.max, using: &random), limit: .random(in: 0...UInt32.max, using: &random))
        case .tail: return RequestSpec(operation: .tail, key: key)
        }
    }

    /// Calls `body` with the `TimelineRequest` over this spec's bytes.
    func withRequest<Result>(_ body: (TimelineRequest) throws -> Result) throws -> Result {
        try key.withUnsafeBytes { key in
            try member.withUnsafeBytes { member in
                switch operation {
                case .insert: try body(try TimelineRequest.insert(key: key, score: score, member: member))
                case .delete: try body(try TimelineRequest.delete(key: key, score: score, member: member))
                case .select: try body(try TimelineRequest.select(key: key, offset: offset, limit: limit))
                case .tail: try body(try TimelineRequest.tail(key: key))
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

/// Decodes a binary response into (member, score) pairs (nil for ok), or returns its error.
func decodeResponse(_ bytes: some Collection<UInt8>) -> Result<[RecordSpec]?, TimelineCodecError> {
    withExactBytes(bytes) { raw in
        do throws(TimelineCodecError) {
            switch try TimelineResponse(decoding: raw) {
            case .ok: return .success(nil)
            case .records(let records): return .success(records.map { RecordSpec(member: Array($0.member), score: $0.score) })
            }
        } catch {
            return .failure(error)
        }
    }
}

struct RecordSpec: Equatable {
    var member: [UInt8]
    var score: Double
}

/// Encodes `records` as a select response.
func encodeRecords(_ records: [RecordSpec]) throws -> [UInt8] {
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
    defer { scratch.deallocate() }
    var writer = TimelineRecordsWriter(scratch)
    for record in records {
        try record.member.withUnsafeBytes { try writer.append(member: $0, score: record.score) }
    }
    let response = TimelineResponse.records(writer.records)
    var bytes = [UInt8](repeating: 0, count: response.encodedByteCount)
    bytes.withUnsafeMutableBytes { response.unsafeEncode(into: $0) }
    return bytes
}

struct TimelineBinaryTests {
    @Test("random requests round-trip through the binary layout", arguments: [1, 2, 3] as [UInt64])
    func requestRoundTrip(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let spec = RequestSpec.random(using: &random)
            let encoded = try spec.encoded()
            #expect(decodeRequest(encoded) == .success(spec))
        }
    }

    @Test("random select responses round-trip, and ok does", arguments: [4, 5] as [UInt64])
    func responseRoundTrip(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let records = (0..<Int.random(in: 0...20, using: &random)).map { _ in RecordSpec(member: random.bytes(maxLength: 100), score: random.score()) }
            #expect(decodeResponse(try encodeRecords(records)) == .success(records))
        }
        #expect(decodeResponse([0x81, 0]) == .success(nil))
    }

    @Test("an insert is laid out as documented: op, 0, score, key length, member length, key, member")
    func insertLayout() throws {
        let spec = RequestSpec(operation: .insert, key: Array("k1".utf8), member: Array("m".utf8), score: 1.5)
        #expect(try spec.encoded() == bytes(#"01 00 3ff8000000000000 0002 0001 "k1" "m""#))
        let select = RequestSpec(operation: .select, key: Array("k".utf8), offset: 2, limit: 10)
        #expect(try select.encoded() == bytes(#"03 00 0001 00000002 0000000a "k""#))
        #expect(try RequestSpec(operation: .tail, key: Array("k".utf8)).encoded() == bytes(#"04 00 0001 "k""#))
        #expect(try encodeRecords([RecordSpec(member: Array("m".utf8), score: 2)]) == bytes(#"82 00 00000001 4000000000000000 0001 "m""#))
    }

    @Test("every truncation and every extra byte of a valid message is rejected")
    func truncations() throws {
        var random = SplitMix64(seed: 9)
        for _ in 0..<200 {
            let encoded = try RequestSpec.random(using: &random).encoded()
            for length in 0..<encoded.count {
                #expect(decodeRequest(encoded.prefix(length)).failure != nil)
            }
            #expect(decodeRequest(encoded + [0]).failure == .trailingBytes(count: 1))
            let records = (0..<Int.random(in: 0...5, using: &random)).map { _ in RecordSpec(member: random.bytes(maxLength: 20), score: random.score()) }
            let response = try encodeRecords(records)
            for length in 0..<response.count {
                #expect(decodeResponse(response.prefix(length)).failure != nil)
            }
            #expect(decodeResponse(response + [0]).failure == .trailingBytes(count: 1))
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let hex: String
        let error: TimelineCodecError
        var testDescription: String { name }
    }

    static let requestCases: [Case] = [
        Case(name: "empty", hex: "", error: .truncated(needed: 2, available: 0)),
        Case(name: "unknown op", hex: "09 00", error: .unknownOperation(9)),
        Case(name: "response op as a request", hex: "81 00", error: .unknownOperation(0x81)),
        Case(name: "reserved byte set", hex: "01 01 3ff8000000000000 0000 0000", error: .reservedBitsSet(1)),
        Case(name: "insert cut in its fixed part", hex: "01 00 3ff8000000000000 00", error: .truncated(needed: 14, available: 11)),
        Case(name: "key length past the end", hex: #"01 00 3ff8000000000000 0005 0000 "k""#,
             error: .lengthBeyondEnd(field: .key, length: 5, available: 1)),
        Case(name: "member length past the end", hex: #"02 00 3ff8000000000000 0001 0004 "k" "m""#,
             error: .lengthBeyondEnd(field: .member, length: 4, available: 1)),
        Case(name: "NaN score", hex: "01 00 7ff8000000000000 0000 0000", error: .nonFiniteScore(bitPattern: 0x7ff8_0000_0000_0000)),
        Case(name: "infinite score", hex: "01 00 fff0000000000000 0000 0000", error: .nonFiniteScore(bitPattern: 0xfff0_0000_0000_0000)),
        Case(name: "select key past the end", hex: "03 00 0002 00000000 00000001 6b", error: .lengthBeyondEnd(field: .key, length: 2, available: 1)),
        Case(name: "tail with trailing bytes", hex: #"04 00 0001 "kk""#, error: .trailingBytes(count: 1)),
    ]

    @Test("each malformed request gets its own typed error", arguments: requestCases)
    func malformedRequest(_ example: Case) {
        #expect(decodeRequest(bytes(example.hex)).failure == example.error)
    }

    static let responseCases: [Case] = [
        Case(name: "ok with trailing byte", hex: "81 00 00", error: .trailingBytes(count: 1)),
        Case(name: "request op as a response", hex: "01 00", error: .unknownOperation(1)),
        Case(name: "count with no records", hex: "82 00 00000002", error: .lengthBeyondEnd(field: .records, length: 10, available: 0)),
        Case(name: "huge count", hex: "82 00 ffffffff 3ff0000000000000 0000", error: .lengthBeyondEnd(field: .records, length: 10, available: 0)),
        Case(name: "member past the end", hex: "82 00 00000001 3ff0000000000000 0009 6d", error: .lengthBeyondEnd(field: .member, length: 9, available: 1)),
        Case(name: "NaN in a record", hex: "82 00 00000001 7ff0000000000001 0000", error: .nonFiniteScore(bitPattern: 0x7ff0_0000_0000_0001)),
        Case(name: "records cut in the count", hex: "82 00 0000", error: .truncated(needed: 6, available: 4)),
    ]

    @Test("each malformed response gets its own typed error", arguments: responseCases)
    func malformedResponse(_ example: Case) {
        #expect(decodeResponse(bytes(example.hex)).failure == example.error)
    }

    @Test("building a request checks what the layout cannot carry")
    func writerLimits() {
        let long = [UInt8](repeating: 1, count: 65_536)
        long.withUnsafeBytes { long in
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) {
                try TimelineRequest.insert(key: long, score: 1, member: .empty)
            }
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .member, value: 65_536)) {
                try TimelineRequest.delete(key: .empty, score: 1, member: long)
            }
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) { try TimelineRequest.tail(key: long) }
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) {
                try TimelineRequest.select(key: long, offset: 0, limit: 1)
            }
        }
        #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: Double.infinity.bitPattern)) {
            try TimelineRequest.insert(key: .empty, score: .infinity, member: .empty)
        }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 15, alignment: 8)
        defer { scratch.deallocate() }
        var writer = TimelineRecordsWriter(scratch)
        #expect(throws: Never.self) { try writer.append(member: .empty, score: 1) }
        #expect(throws: TimelineCodecError.bufferTooSmall(needed: 10, available: 5)) { try writer.append(member: .empty, score: 2) }
        #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: Double.nan.bitPattern)) { try writer.append(member: .empty, score: .nan) }
        #expect(writer.records.count == 1)
    }

    @Test("a request travels as a frame's data, written in place")
    func insideFrame() throws {
        let spec = RequestSpec(operation: .insert, key: Array("timeline:1".utf8), member: Array("track-42".utf8), score: 1_700_000_000)
        let frame = try spec.withRequest { request in
            try written { writer in try writer.writeRequestFireAndForget(streamID: 7, data: request) }
        }
        #expect(frame == bytes("00000007 1400") + (try spec.encoded()))
        let read = try withExactBytes(frame) { raw in RequestSpec(try TimelineRequest(decoding: try FrameReader(validating: raw).data)) }
        #expect(read == spec)
    }

    @Test("the SETUP data MIME type picks the encoding")
    func encodingByMIMEType() {
        for encoding in TimelineEncoding.allCases {
            #expect(Array(encoding.mimeType.utf8).withUnsafeBytes { TimelineEncoding(mimeType: $0) } == encoding)
        }
        #expect(Array("text/plain".utf8).withUnsafeBytes { TimelineEncoding(mimeType: $0) } == nil)
    }
}
