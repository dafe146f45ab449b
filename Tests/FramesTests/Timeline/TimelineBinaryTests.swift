import SeededRandom
import Testing
@testable import Frames

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

    @Test("random responses round-trip (ok, records, results)", arguments: [4, 5] as [UInt64])
    func responseRoundTrip(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let response = ResponseSpec.random(using: &random)
            #expect(decodeResponse(try response.encoded()) == .success(response))
        }
        #expect(decodeResponse([0x81, 0]) == .success(.ok))
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
            let response = try ResponseSpec.random(using: &random).encoded()
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
        let read = try withExactBytes(frame) { raw in RequestSpec(try TimelineRequest(decoding: try FrameReader(validating: raw).unsafeData)) }
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
