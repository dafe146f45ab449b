import SeededRandom
import Testing
@testable import Frames

/// The binary messages that carry lists (batches, several keys, results) and the range:
/// the documented bytes, one test per malformed input, the writers' limits.
struct TimelineListTests {
    @Test("batches, several keys, range and results are laid out as the DocC article shows")
    func documentedLayouts() throws {
        let batch = RequestSpec(operation: .insertBatch, writes: [
            WriteSpec(key: Array("k".utf8), score: 1, member: Array("m".utf8)),
            WriteSpec(key: Array("k".utf8), score: 2, member: Array("n".utf8)),
        ])
        #expect(try batch.encoded() == bytes(#"05 00 00000002 3ff0000000000000 0001 0001 "k" "m" 4000000000000000 0001 0001 "k" "n""#))
        var delete = batch
        delete.operation = .deleteBatch
        #expect(try delete.encoded().first == 0x06)
        let keys = RequestSpec(operation: .selectKeys, limit: 10, keys: [Array("a".utf8), Array("bc".utf8)])
        #expect(try keys.encoded() == bytes(#"07 00 0002 00000000 0000000a 0001 "a" 0002 "bc""#))
        let range = RequestSpec(operation: .range, key: Array("k".utf8), limit: 10, start: CursorSpec(score: 5, member: Array("p".utf8)))
        #expect(try range.encoded() == bytes(#"08 00 4014000000000000 0000000000000000 0000000a 0001 0001 0000 01 00 "k" "p""#))
        let both = RequestSpec(
            operation: .range, key: Array("k".utf8), limit: 1, start: CursorSpec(score: 5, member: Array("p".utf8)),
            stop: CursorSpec(score: 1, member: []))
        #expect(try both.encoded() == bytes(#"08 00 4014000000000000 3ff0000000000000 00000001 0001 0001 0000 03 00 "k" "p""#))
        let results = ResponseSpec.results([
            KeyRecordsSpec(key: Array("a".utf8), records: [RecordSpec(member: Array("m".utf8), score: 2)]),
            KeyRecordsSpec(key: Array("b".utf8), records: []),
        ])
        #expect(try results.encoded() == bytes(#"83 00 0002 0001 "a" 00000001 4000000000000000 0001 "m" 0001 "b" 00000000"#))
        #expect(decodeRequest(bytes("05 00 00000000")) == .success(RequestSpec(operation: .insertBatch)))
        #expect(decodeRequest(bytes("07 00 0000 00000001 00000002")) == .success(RequestSpec(operation: .selectKeys, offset: 1, limit: 2)))
    }

    @Test("a batch's writes and a key list are views into the message, in order")
    func viewsInPlace() throws {
        let encoded = try RequestSpec(operation: .insertBatch, writes: [
            WriteSpec(key: Array("k1".utf8), score: 3, member: Array("a".utf8)),
            WriteSpec(key: Array("k2".utf8), score: -1, member: Array("bb".utf8)),
        ]).encoded()
        try withExactBytes(encoded) { raw in
            let request = try TimelineRequest(decoding: raw)
            #expect(request.writes.count == 2)
            var iterator = request.writes.makeIterator()
            let next = iterator.next()
            let first = try #require(next)
            #expect(first.unsafeKey.baseAddress == raw.baseAddress! + 18)
            #expect(Array(first.unsafeMember) == Array("a".utf8))
            let after = iterator.next()
            let second = try #require(after)
            #expect(second.score == -1)
            #expect(second.unsafeMember.baseAddress! + 2 == raw.baseAddress! + raw.count)
            #expect(iterator.next() == nil)
        }
    }

    /// A malformed message and its error, as in the single-message tests.
    typealias Case = TimelineBinaryTests.Case

    static let requestCases: [Case] = [
        Case(name: "batch cut in its count", hex: "05 00 0000", error: .truncated(needed: 6, available: 4)),
        Case(name: "batch count beyond its writes", hex: #"05 00 00000002 3ff0000000000000 0001 0000 "k""#,
             error: .lengthBeyondEnd(field: .writes, length: 12, available: 0)),
        Case(name: "huge batch count", hex: "06 00 ffffffff", error: .lengthBeyondEnd(field: .writes, length: 12, available: 0)),
        Case(name: "batch write cut in its fixed part", hex: "05 00 00000001 3ff0000000000000 00",
             error: .lengthBeyondEnd(field: .writes, length: 12, available: 9)),
        Case(name: "batch key past the end", hex: #"05 00 00000001 3ff0000000000000 0003 0000 "k""#,
             error: .lengthBeyondEnd(field: .key, length: 3, available: 1)),
        Case(name: "batch member past the end", hex: #"05 00 00000001 3ff0000000000000 0001 0002 "k" "m""#,
             error: .lengthBeyondEnd(field: .member, length: 2, available: 1)),
        Case(name: "batch NaN score", hex: #"06 00 00000001 7ff8000000000000 0001 0000 "k""#,
             error: .nonFiniteScore(bitPattern: 0x7ff8_0000_0000_0000)),
        Case(name: "batch trailing bytes", hex: #"05 00 00000001 3ff0000000000000 0001 0000 "k" 00"#, error: .trailingBytes(count: 1)),
        Case(name: "batch reserved byte", hex: "05 02 00000000", error: .reservedBitsSet(2)),
        Case(name: "keys cut in the fixed part", hex: "07 00 0001 00000000 0000", error: .truncated(needed: 12, available: 10)),
        Case(name: "keys count beyond the keys", hex: #"07 00 0002 00000000 00000001 0001 "a""#,
             error: .lengthBeyondEnd(field: .keys, length: 2, available: 0)),
        Case(name: "keys entry cut in its length", hex: #"07 00 0001 00000000 00000001 00"#,
             error: .lengthBeyondEnd(field: .keys, length: 2, available: 1)),
        Case(name: "keys key past the end", hex: #"07 00 0001 00000000 00000001 0004 "ab""#,
             error: .lengthBeyondEnd(field: .key, length: 4, available: 2)),
        Case(name: "keys trailing bytes", hex: #"07 00 0001 00000000 00000001 0001 "a" "b""#, error: .trailingBytes(count: 1)),
        Case(name: "range cut in the fixed part", hex: "08 00 4014000000000000", error: .truncated(needed: 30, available: 10)),
        Case(name: "range unknown flag", hex: "08 00 0000000000000000 0000000000000000 00000001 0000 0000 0000 04 00",
             error: .invalidCursorFlags(4)),
        Case(name: "range reserved byte", hex: "08 00 0000000000000000 0000000000000000 00000001 0000 0000 0000 00 01",
             error: .reservedBitsSet(1)),
        Case(name: "range key past the end", hex: #"08 00 0000000000000000 0000000000000000 00000001 0002 0000 0000 00 00 "k""#,
             error: .lengthBeyondEnd(field: .key, length: 2, available: 1)),
        Case(name: "range start member past the end", hex: #"08 00 0000000000000000 0000000000000000 00000001 0001 0002 0000 01 00 "k" "p""#,
             error: .lengthBeyondEnd(field: .start, length: 2, available: 1)),
        Case(name: "range stop member past the end", hex: #"08 00 0000000000000000 0000000000000000 00000001 0001 0000 0001 02 00 "k""#,
             error: .lengthBeyondEnd(field: .stop, length: 1, available: 0)),
        Case(name: "range trailing bytes", hex: #"08 00 0000000000000000 0000000000000000 00000001 0001 0000 0000 00 00 "kk""#,
             error: .trailingBytes(count: 1)),
        Case(name: "range absent start with a score", hex: #"08 00 3ff0000000000000 0000000000000000 00000001 0000 0000 0000 00 00"#,
             error: .absentCursorNotZero(field: .start)),
        Case(name: "range absent stop with a member", hex: #"08 00 0000000000000000 0000000000000000 00000001 0000 0000 0001 00 00 "p""#,
             error: .absentCursorNotZero(field: .stop)),
        Case(name: "range infinite start score", hex: "08 00 7ff0000000000000 0000000000000000 00000001 0000 0000 0000 01 00",
             error: .nonFiniteScore(bitPattern: 0x7ff0_0000_0000_0000)),
        Case(name: "range NaN stop score", hex: "08 00 0000000000000000 7ff8000000000001 00000001 0000 0000 0000 02 00",
             error: .nonFiniteScore(bitPattern: 0x7ff8_0000_0000_0001)),
        Case(name: "results op as a request", hex: "83 00 0000", error: .unknownOperation(0x83)),
    ]

    @Test("each malformed list or range request gets its own typed error", arguments: requestCases)
    func malformedRequest(_ example: Case) {
        #expect(decodeRequest(bytes(example.hex)).failure == example.error)
    }

    static let responseCases: [Case] = [
        Case(name: "results cut in the count", hex: "83 00 00", error: .truncated(needed: 4, available: 3)),
        Case(name: "results count beyond the keys", hex: "83 00 0001", error: .lengthBeyondEnd(field: .results, length: 2, available: 0)),
        Case(name: "results key past the end", hex: #"83 00 0001 0002 "a""#, error: .lengthBeyondEnd(field: .key, length: 2, available: 1)),
        Case(name: "results cut in a record count", hex: #"83 00 0001 0001 "a" 0000"#,
             error: .lengthBeyondEnd(field: .records, length: 4, available: 2)),
        Case(name: "results record count beyond the records", hex: #"83 00 0001 0001 "a" 00000001"#,
             error: .lengthBeyondEnd(field: .records, length: 10, available: 0)),
        Case(name: "results member past the end", hex: #"83 00 0001 0001 "a" 00000001 3ff0000000000000 0002 "m""#,
             error: .lengthBeyondEnd(field: .member, length: 2, available: 1)),
        Case(name: "results NaN record", hex: #"83 00 0001 0001 "a" 00000001 fff8000000000000 0000"#,
             error: .nonFiniteScore(bitPattern: 0xfff8_0000_0000_0000)),
        Case(name: "results trailing bytes", hex: #"83 00 0001 0001 "a" 00000000 00"#, error: .trailingBytes(count: 1)),
        Case(name: "batch op as a response", hex: "05 00 00000000", error: .unknownOperation(5)),
    ]

    @Test("each malformed results response gets its own typed error", arguments: responseCases)
    func malformedResponse(_ example: Case) {
        #expect(decodeResponse(bytes(example.hex)).failure == example.error)
    }

    @Test("the list writers and range check what the layout cannot carry")
    func writerLimits() throws {
        let long = [UInt8](repeating: 1, count: 65_536)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 40, alignment: 8)
        defer { scratch.deallocate() }
        try long.withUnsafeBytes { long in
            var writes = TimelineWritesWriter(scratch)
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) { try writes.append(key: long, score: 1, member: .empty) }
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .member, value: 65_536)) { try writes.append(key: .empty, score: 1, member: long) }
            #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: Double.nan.bitPattern)) { try writes.append(key: .empty, score: .nan, member: .empty) }
            try writes.append(key: .empty, score: 1, member: .empty)
            try writes.append(key: .empty, score: 2, member: .empty)
            try writes.append(key: .empty, score: 3, member: .empty)
            #expect(throws: TimelineCodecError.bufferTooSmall(needed: 12, available: 4)) { try writes.append(key: .empty, score: 4, member: .empty) }
            #expect(writes.writes.count == 3)

            var keys = TimelineKeysWriter(scratch)
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) { try keys.append(long) }
            #expect(throws: TimelineCodecError.bufferTooSmall(needed: 66, available: 40)) { try keys.append(UnsafeRawBufferPointer(rebasing: long[..<64])) }
            #expect(keys.keys.count == 0)

            var results = TimelineResultsWriter(scratch)
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) { try results.appendKey(long) }
            try results.appendKey(.empty)
            #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: Double.infinity.bitPattern)) {
                try results.appendRecord(member: .empty, score: .infinity)
            }
            try results.appendRecord(member: .empty, score: 1)
            try results.appendRecord(member: .empty, score: 0)
            try results.appendRecord(member: .empty, score: -1)
            #expect(throws: TimelineCodecError.bufferTooSmall(needed: 10, available: 4)) { try results.appendRecord(member: .empty, score: -2) }
            #expect(results.results.map(\.records.count) == [3])

            #expect(throws: TimelineCodecError.valueOutOfRange(field: .key, value: 65_536)) {
                try TimelineRequest.range(key: long, start: nil, stop: nil, limit: 1)
            }
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .start, value: 65_536)) {
                try TimelineRequest.range(key: .empty, start: TimelineCursor(score: 1, member: long), stop: nil, limit: 1)
            }
            #expect(throws: TimelineCodecError.valueOutOfRange(field: .stop, value: 65_536)) {
                try TimelineRequest.range(key: .empty, start: nil, stop: TimelineCursor(score: 1, member: long), limit: 1)
            }
            #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: Double.infinity.bitPattern)) {
                try TimelineRequest.range(key: .empty, start: nil, stop: TimelineCursor(score: .infinity, member: .empty), limit: 1)
            }
        }
    }

    @Test("a key list stops at 65,535 keys")
    func keyCountLimit() throws {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * 65_536, alignment: 8)
        defer { scratch.deallocate() }
        var keys = TimelineKeysWriter(scratch)
        for _ in 0..<65_535 { try keys.append(.empty) }
        #expect(throws: TimelineCodecError.valueOutOfRange(field: .keys, value: 65_536)) { try keys.append(.empty) }
        let request = TimelineRequest.select(keys: keys.keys, offset: 0, limit: 1)
        var encoded = [UInt8](repeating: 0, count: request.encodedByteCount)
        encoded.withUnsafeMutableBytes { request.unsafeEncode(into: $0) }
        let decoded = try withExactBytes(encoded) { raw in try TimelineRequest(decoding: raw).keys.count }
        #expect(decoded == 65_535)
    }
}
