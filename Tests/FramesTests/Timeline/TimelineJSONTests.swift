import SeededRandom
import Foundation
import Testing
@testable import Frames

struct TimelineJSONTests {
    let codec = TimelineJSONCodec()

    func decode<Message: Decodable>(_ type: Message.Type, _ json: String) -> Result<Message, TimelineCodecError> {
        withExactBytes(Array(json.utf8)) { raw in
            do throws(TimelineCodecError) {
                return .success(try codec.decode(type, from: raw))
            } catch {
                return .failure(error)
            }
        }
    }

    func roundTrip<Message: TimelineJSONMessage & Equatable>(_ message: Message) throws -> Message {
        let data = try codec.encode(message)
        return try withExactBytes(data) { raw in try codec.decode(Message.self, from: raw) }
    }

    static func randomRequest(using random: inout SplitMix64) -> TimelineJSONRequest {
        let key = random.string()
        func writes() -> [TimelineJSONWrite] {
            (0..<Int.random(in: 0...5, using: &random)).map { _ in TimelineJSONWrite(key: random.string(), score: random.score(), member: random.string()) }
        }
        func cursor() -> TimelineJSONCursor? { Bool.random(using: &random) ? TimelineJSONCursor(score: random.score(), member: random.string()) : nil }
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return .insert(key: key, score: random.score(), member: random.string())
        case 1: return .delete(key: key, score: random.score(), member: random.string())
        case 2: return .select(key: key, offset: .random(in: 0...UInt32.max, using: &random), limit: .random(in: 0...UInt32.max, using: &random))
        case 3: return .insertBatch(writes: writes())
        case 4: return .deleteBatch(writes: writes())
        case 5:
            return .selectKeys(
                keys: (0..<Int.random(in: 0...5, using: &random)).map { _ in random.string() },
                offset: .random(in: 0...UInt32.max, using: &random), limit: .random(in: 0...UInt32.max, using: &random))
        case 6: return .range(key: key, start: cursor(), stop: cursor(), limit: .random(in: 0...UInt32.max, using: &random))
        default: return .tail(key: key)
        }
    }

    @Test("random requests and responses round-trip through JSON", arguments: [1, 2] as [UInt64])
    func roundTrips(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let request = Self.randomRequest(using: &random)
            #expect(try roundTrip(request) == request)
            func records() -> [TimelineJSONRecord] {
                (0..<Int.random(in: 0...5, using: &random)).map { _ in TimelineJSONRecord(member: random.string(), score: random.score()) }
            }
            let list = records()
            #expect(try roundTrip(TimelineJSONResponse.records(list)) == .records(list))
            var results: [String: [TimelineJSONRecord]] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) { results[random.string()] = records() }
            #expect(try roundTrip(TimelineJSONResponse.results(results)) == .results(results))
        }
        #expect(try roundTrip(TimelineJSONResponse.ok) == .ok)
    }

    @Test("the messages of DESIGN contract 2 read as written there")
    func contractExamples() {
        #expect(decode(TimelineJSONRequest.self, #"{"op":"insert","key":"k","score":7,"member":"m"}"#) == .success(.insert(key: "k", score: 7, member: "m")))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"delete","key":"k","score":-0.5,"member":"é"}"#) == .success(.delete(key: "k", score: -0.5, member: "é")))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"select","key":"k","offset":0,"limit":10}"#) == .success(.select(key: "k", offset: 0, limit: 10)))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"tail","key":"k"}"#) == .success(.tail(key: "k")))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"insert","writes":[{"key":"k","score":1,"member":"a"},{"key":"j","score":2,"member":"b"}]}"#)
            == .success(.insertBatch(writes: [TimelineJSONWrite(key: "k", score: 1, member: "a"), TimelineJSONWrite(key: "j", score: 2, member: "b")])))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"delete","writes":[]}"#) == .success(.deleteBatch(writes: [])))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"select","keys":["a","b"],"offset":1,"limit":2}"#)
            == .success(.selectKeys(keys: ["a", "b"], offset: 1, limit: 2)))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"range","key":"k","start":{"score":5,"member":"p"},"stop":{"score":1,"member":""},"limit":3}"#)
            == .success(.range(key: "k", start: TimelineJSONCursor(score: 5, member: "p"), stop: TimelineJSONCursor(score: 1, member: ""), limit: 3)))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"range","key":"k","limit":3}"#) == .success(.range(key: "k", start: nil, stop: nil, limit: 3)))
        #expect(decode(TimelineJSONResponse.self, #"{"results":{"a":[{"member":"m","score":2}],"b":[]}}"#)
            == .success(.results(["a": [TimelineJSONRecord(member: "m", score: 2)], "b": []])))
        #expect(decode(TimelineJSONResponse.self, #"{"ok":true}"#) == .success(.ok))
        #expect(decode(TimelineJSONResponse.self, #"{"records":[{"member":"a","score":2},{"member":"b","score":1}]}"#)
            == .success(.records([TimelineJSONRecord(member: "a", score: 2), TimelineJSONRecord(member: "b", score: 1)])))
    }

    @Test("encoding writes the fields of contract 2")
    func encodedFields() throws {
        let data = try codec.encode(TimelineJSONRequest.insert(key: "k", score: 7, member: "m"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object.count == 4)
        #expect(object["op"] as? String == "insert")
        #expect(object["key"] as? String == "k")
        #expect(object["member"] as? String == "m")
        #expect((object["score"] as? NSNumber)?.doubleValue == 7)
        #expect(String(decoding: try codec.encode(TimelineJSONResponse.ok), as: UTF8.self) == #"{"ok":true}"#)
    }

    @Test("malformed JSON of every kind is rejected with a typed error", arguments: [
        "", "{", "[]", "null", #"{"key":"k"}"#, #"{"op":"upsert","key":"k"}"#, #"{"op":"insert","key":"k","score":1}"#,
        #"{"op":"insert","key":"k","score":"1","member":"m"}"#, #"{"op":"select","key":"k","offset":-1,"limit":1}"#,
        #"{"op":"select","key":"k","offset":4294967296,"limit":1}"#, #"{"op":"tail","key":7}"#,
        #"{"op":"insert","key":"k","score":1e999,"member":"m"}"#,
        #"{"op":"insert","writes":[{"key":"k","score":1}]}"#, #"{"op":"insert","writes":{}}"#,
        #"{"op":"delete","writes":[{"key":"k","score":"x","member":"m"}]}"#, #"{"op":"select","keys":"a","offset":0,"limit":1}"#,
        #"{"op":"select","keys":["a",1],"offset":0,"limit":1}"#, #"{"op":"select","keys":["a"],"limit":1}"#,
        #"{"op":"range","key":"k"}"#, #"{"op":"range","key":"k","limit":-1}"#, #"{"op":"range","limit":1}"#,
        #"{"op":"range","key":"k","start":{"score":1},"limit":1}"#, #"{"op":"range","key":"k","stop":5,"limit":1}"#,
    ])
    func malformedRequest(json: String) {
        #expect(decode(TimelineJSONRequest.self, json).failure != nil)
    }

    @Test("an unknown op names itself")
    func unknownOp() {
        #expect(decode(TimelineJSONRequest.self, #"{"op":"upsert","key":"k"}"#).failure == .invalidJSON(#"unknown op "upsert""#))
    }

    @Test("a malformed field is named in the error")
    func namedField() throws {
        let missing = try #require(decode(TimelineJSONRequest.self, #"{"op":"range","key":"k","start":{"score":1},"limit":1}"#).failure)
        #expect(missing.description.contains("member"))
        let mistyped = try #require(decode(TimelineJSONRequest.self, #"{"op":"select","keys":"a","offset":0,"limit":1}"#).failure)
        #expect(mistyped.description.contains("keys"))
        #expect(decode(TimelineJSONRequest.self, #"{"op":"insert","writes":[{"key":"k","score":1e999,"member":"m"}]}"#).failure != nil)
    }

    @Test("a bad value is named by its field in the reason", arguments: [
        (#"{"op":"select","key":"k","offset":-1,"limit":1}"#, #"field "offset" must be a whole number from 0 to 4294967295"#),
        (#"{"op":"select","key":"k","offset":0,"limit":1.5}"#, #"field "limit" must be a whole number from 0 to 4294967295"#),
        (#"{"op":"range","key":"k","limit":-1}"#, #"field "limit" must be a whole number from 0 to 4294967295"#),
        (#"{"op":"insert","key":"k","score":1e999,"member":"m"}"#, #"field "score" is out of the range of a finite double"#),
        (#"{"op":"insert","writes":[{"key":"k","score":1,"member":"m"},{"key":"k","score":1e999,"member":"m"}]}"#,
         #"field "writes[1].score" is out of the range of a finite double"#),
        (#"{"op":"insert","key":"k","member":"m"}"#, #"missing field "score""#),
        (#"{"op":"insert","writes":[{"key":"k","score":1}]}"#, #"missing field "writes[0].member""#),
        (#"{"op":"insert","key":"k","score":"1","member":"m"}"#, #"field "score" is not a number"#),
        (#"{"op":"tail","key":null}"#, #"field "key" is null, not a string"#),
        (#"{"op":"select","keys":"a","offset":0,"limit":1}"#, #"field "keys" is not an array"#),
        (#"{"op":"insert","writes":{}}"#, #"field "writes" is not an array"#),
        (#"{"op":"insert","#, "not a JSON document"),
    ])
    func namedReason(json: String, reason: String) throws {
        let failure = try #require(decode(TimelineJSONRequest.self, json).failure)
        #expect(failure == .invalidJSON(reason))
    }

    @Test("encoding writes the bytes of contract 2, fields in its order, strings escaped")
    func encodedBytes() throws {
        func text(_ message: some TimelineJSONMessage) throws -> String { String(decoding: try codec.encode(message), as: UTF8.self) }
        #expect(try text(TimelineJSONRequest.insert(key: "k", score: 7, member: "m")) == #"{"op":"insert","key":"k","score":7,"member":"m"}"#)
        #expect(try text(TimelineJSONRequest.delete(key: "k", score: -0.5, member: "é")) == #"{"op":"delete","key":"k","score":-0.5,"member":"é"}"#)
        #expect(try text(TimelineJSONRequest.select(key: "k", offset: 0, limit: 10)) == #"{"op":"select","key":"k","offset":0,"limit":10}"#)
        #expect(try text(TimelineJSONRequest.selectKeys(keys: ["a", "b"], offset: 1, limit: 2)) == #"{"op":"select","keys":["a","b"],"offset":1,"limit":2}"#)
        #expect(try text(TimelineJSONRequest.tail(key: "k")) == #"{"op":"tail","key":"k"}"#)
        #expect(try text(TimelineJSONRequest.insertBatch(writes: [TimelineJSONWrite(key: "k", score: 1, member: "a"), TimelineJSONWrite(key: "j", score: 2, member: "b")]))
            == #"{"op":"insert","writes":[{"key":"k","score":1,"member":"a"},{"key":"j","score":2,"member":"b"}]}"#)
        #expect(try text(TimelineJSONRequest.deleteBatch(writes: [])) == #"{"op":"delete","writes":[]}"#)
        #expect(try text(TimelineJSONRequest.range(key: "k", start: TimelineJSONCursor(score: 5, member: "p"), stop: nil, limit: 3))
            == #"{"op":"range","key":"k","start":{"score":5,"member":"p"},"limit":3}"#)
        #expect(try text(TimelineJSONResponse.records([TimelineJSONRecord(member: "a", score: 1e21), TimelineJSONRecord(member: "b", score: -0.0)]))
            == #"{"records":[{"member":"a","score":1e+21},{"member":"b","score":-0}]}"#)
        #expect(try text(TimelineJSONResponse.results(["b": [], "a": [TimelineJSONRecord(member: "m", score: 2)], "ab": []]))
            == #"{"results":{"a":[{"member":"m","score":2}],"ab":[],"b":[]}}"#)
        #expect(try text(TimelineJSONRequest.tail(key: "q\"b\\n\nt\tc\u{1}/")) == #"{"op":"tail","key":"q\"b\\n\nt\tc\u0001/"}"#)
    }

    @Test("malformed responses are rejected", arguments: [
        #"{"ok":false}"#, "{}", #"{"records":[{"member":"a"}]}"#, #"{"records":{}}"#, #"{"results":[]}"#,
        #"{"results":{"a":[{"score":1}]}}"#, #"{"results":{"a":{}}}"#,
    ])
    func malformedResponse(json: String) {
        #expect(decode(TimelineJSONResponse.self, json).failure != nil)
    }

    @Test("non-finite scores are refused when encoding")
    func nonFiniteScore() {
        #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: Double.nan.bitPattern)) {
            try codec.encode(TimelineJSONRequest.insert(key: "k", score: .nan, member: "m"))
        }
    }

    @Test("JSON requests convert to the binary layout and back", arguments: [6, 7] as [UInt64])
    func toBinary(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { scratch.deallocate() }
        for _ in 0..<200 {
            let request = Self.randomRequest(using: &random)
            let encoded = try request.withBinary(scratch: scratch) { (binary) throws(TimelineCodecError) in
                var bytes = [UInt8](repeating: 0, count: binary.encodedByteCount)
                bytes.withUnsafeMutableBytes { binary.unsafeEncode(into: $0) }
                return bytes
            }
            #expect(try withExactBytes(encoded) { raw in try TimelineJSONRequest(try TimelineRequest(decoding: raw)) } == request)
        }
        let tiny = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
        defer { tiny.deallocate() }
        #expect(throws: TimelineCodecError.bufferTooSmall(needed: 14, available: 8)) {
            try TimelineJSONRequest.insertBatch(writes: [TimelineJSONWrite(key: "k", score: 1, member: "m")]).withBinary(scratch: tiny) { _ in }
        }
        #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) {
            try TimelineJSONRequest.tail(key: String(repeating: "k", count: 65_536)).withBinary(scratch: tiny) { _ in }
        }
    }

    @Test("binary messages convert to JSON when their bytes are UTF-8")
    func fromBinary() throws {
        var random = SplitMix64(seed: 3)
        for _ in 0..<100 {
            let request = Self.randomRequest(using: &random)
            func writes(_ list: [TimelineJSONWrite]) -> [WriteSpec] {
                list.map { WriteSpec(key: Array($0.key.utf8), score: $0.score, member: Array($0.member.utf8)) }
            }
            func cursor(_ cursor: TimelineJSONCursor?) -> CursorSpec? { cursor.map { CursorSpec(score: $0.score, member: Array($0.member.utf8)) } }
            let spec: RequestSpec = switch request {
            case let .insert(key, score, member): RequestSpec(operation: .insert, key: Array(key.utf8), member: Array(member.utf8), score: score)
            case let .delete(key, score, member): RequestSpec(operation: .delete, key: Array(key.utf8), member: Array(member.utf8), score: score)
            case let .select(key, offset, limit): RequestSpec(operation: .select, key: Array(key.utf8), offset: offset, limit: limit)
            case let .tail(key): RequestSpec(operation: .tail, key: Array(key.utf8))
            case let .insertBatch(list): RequestSpec(operation: .insertBatch, writes: writes(list))
            case let .deleteBatch(list): RequestSpec(operation: .deleteBatch, writes: writes(list))
            case let .selectKeys(keys, offset, limit): RequestSpec(operation: .selectKeys, offset: offset, limit: limit, keys: keys.map { Array($0.utf8) })
            case let .range(key, start, stop, limit): RequestSpec(operation: .range, key: Array(key.utf8), limit: limit, start: cursor(start), stop: cursor(stop))
            }
            #expect(try spec.withRequest { try TimelineJSONRequest($0) } == request)
        }
        let notUTF8 = RequestSpec(operation: .tail, key: [0xff, 0xfe])
        #expect(throws: TimelineCodecError.invalidUTF8(field: .key)) { try notUTF8.withRequest { try TimelineJSONRequest($0) } }
        let badBatch = RequestSpec(operation: .insertBatch, writes: [WriteSpec(key: Array("k".utf8), score: 1, member: [0xff])])
        #expect(throws: TimelineCodecError.invalidUTF8(field: .member)) { try badBatch.withRequest { try TimelineJSONRequest($0) } }
        let badCursor = RequestSpec(operation: .range, key: [], limit: 1, stop: CursorSpec(score: 1, member: [0xc3]))
        #expect(throws: TimelineCodecError.invalidUTF8(field: .stop)) { try badCursor.withRequest { try TimelineJSONRequest($0) } }
        let results = ResponseSpec.results([
            KeyRecordsSpec(key: Array("a".utf8), records: [RecordSpec(member: Array("m".utf8), score: 2)]),
            KeyRecordsSpec(key: Array("b".utf8), records: []),
        ])
        try withExactBytes(try results.encoded()) { raw throws in
            #expect(try TimelineJSONResponse(try TimelineResponse(decoding: raw)) == .results(["a": [TimelineJSONRecord(member: "m", score: 2)], "b": []]))
        }
        let records = [RecordSpec(member: Array("a".utf8), score: 2), RecordSpec(member: [0xc3], score: 1)]
        try withExactBytes(try encodeRecords(records)) { raw throws in
            #expect(throws: TimelineCodecError.invalidUTF8(field: .member)) { try TimelineJSONResponse(try TimelineResponse(decoding: raw)) }
        }
        try withExactBytes(try encodeRecords(Array(records.prefix(1)))) { raw throws in
            #expect(try TimelineJSONResponse(try TimelineResponse(decoding: raw)) == .records([TimelineJSONRecord(member: "a", score: 2)]))
        }
    }
}
