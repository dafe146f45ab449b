import SeededRandom
import Testing
@testable import Frames

/// Untrusted bytes: every way a frame can be wrong is a typed error, never a trap and never a
/// read outside the bytes given.
struct FrameMalformedTests {
    @Test("every truncation of a valid frame throws, or is a valid frame with less data", arguments: [5, 6] as [UInt64])
    func truncations(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<150 {
            let spec = FrameSpec.random(using: &random)
            let encoded = try spec.encoded()
            let shortest = try spec.shortestValidLength
            for length in 0..<encoded.count {
                let result = readFrame(encoded.prefix(length))
                if length < shortest {
                    #expect(result.failure != nil, "\(spec) cut to \(length) of \(encoded.count) bytes was accepted")
                } else {
                    #expect(result.failure == nil, "\(spec) cut to \(length) bytes: \(String(describing: result.failure))")
                }
            }
        }
    }

    @Test("a length prefix asks for more bytes until the whole frame is there")
    func prefixedTruncations() throws {
        var random = SplitMix64(seed: 8)
        for _ in 0..<100 {
            let stream = try written(framing: .lengthPrefixed) { writer in
                try FrameSpec.random(using: &random).write(to: &writer)
            }
            for length in 0..<stream.count {
                let split = try withExactBytes(stream.prefix(length)) { raw in try LengthPrefix.nextFrame(in: raw) }
                #expect(split == nil)
            }
        }
    }

    @Test("a length prefix shorter than a header is rejected")
    func prefixTooShort() {
        for length in 0..<6 {
            #expect(throws: FrameError.frameTooShort(length: length)) {
                try withExactBytes(bytes("0000") + [UInt8(length)] + bytes("000000000000")) { raw in
                    _ = try LengthPrefix.nextFrame(in: raw)
                }
            }
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let hex: String
        let error: FrameError
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", hex: "", error: .truncated(field: .header, needed: 6, available: 0)),
        Case(name: "header cut short", hex: "00000001 10", error: .truncated(field: .header, needed: 6, available: 5)),
        Case(name: "stream id reserved bit", hex: "80000001 1000", error: .reservedBitSet(field: .streamID)),
        Case(name: "flag the type does not define (M on REQUEST_N)", hex: "00000005 2100 00000001",
             error: .reservedBitSet(field: .flags)),
        Case(name: "flag the type does not define (N on REQUEST_RESPONSE)", hex: "00000001 1020",
             error: .reservedBitSet(field: .flags)),
        Case(name: "unknown type without I", hex: "00000001 4000", error: .unknownType(FrameType(rawValue: 0x10))),
        Case(name: "reserved type 0 without I", hex: "00000000 0000", error: .unknownType(FrameType(rawValue: 0))),
        Case(name: "zero REQUEST_N", hex: "00000005 2000 00000000", error: .zeroValue(field: .requestN)),
        Case(name: "REQUEST_N reserved bit", hex: "00000005 2000 80000001", error: .reservedBitSet(field: .requestN)),
        Case(name: "REQUEST_N cut short", hex: "00000005 2000 000001", error: .truncated(field: .requestN, needed: 4, available: 3)),
        Case(name: "zero initial N", hex: "00000005 1800 00000000 73", error: .zeroValue(field: .initialRequestN)),
        Case(name: "zero initial N on a channel", hex: "00000005 1c00 00000000", error: .zeroValue(field: .initialRequestN)),
        Case(name: "metadata length past the end", hex: "00000001 1100 000005 6d657461",
             error: .lengthBeyondEnd(field: .metadata, length: 5, available: 4)),
        Case(name: "metadata length cut short", hex: "00000001 1100 0000", error: .truncated(field: .metadata, needed: 3, available: 2)),
        Case(name: "data MIME length past the end", hex: #"00000000 0400 00010000 000003e8 000927c0 00 10 "application/jso""#,
             error: .lengthBeyondEnd(field: .dataMIMEType, length: 16, available: 15)),
        Case(name: "metadata MIME length past the end", hex: "00000000 0400 00010000 000003e8 000927c0 05 6a",
             error: .lengthBeyondEnd(field: .metadataMIMEType, length: 5, available: 1)),
        Case(name: "resume token past the end", hex: "00000000 0480 00010000 000003e8 000927c0 0003 ab",
             error: .lengthBeyondEnd(field: .resumeToken, length: 3, available: 1)),
        Case(name: "zero keepalive interval", hex: "00000000 0400 00010000 00000000 000927c0 00 00",
             error: .zeroValue(field: .keepaliveInterval)),
        Case(name: "max lifetime reserved bit", hex: "00000000 0400 00010000 000003e8 800927c0 00 00",
             error: .reservedBitSet(field: .maxLifetime)),
        Case(name: "SETUP off stream 0", hex: "00000001 0400 00010000 000003e8 000927c0 00 00",
             error: .invalidStreamID(type: .setup, streamID: 1)),
        Case(name: "KEEPALIVE off stream 0", hex: "00000002 0c00 0000000000000000", error: .invalidStreamID(type: .keepalive, streamID: 2)),
        Case(name: "REQUEST_FNF on stream 0", hex: "00000000 1400", error: .invalidStreamID(type: .requestFireAndForget, streamID: 0)),
        Case(name: "PAYLOAD with neither C nor N", hex: "00000001 2800 6869", error: .invalidFlags(type: .payload, flags: [])),
        Case(name: "METADATA_PUSH without M", hex: "00000000 3000 6869", error: .invalidFlags(type: .metadataPush, flags: [])),
        Case(name: "bytes after CANCEL", hex: "00000001 2400 00", error: .trailingBytes(type: .cancel, count: 1)),
        Case(name: "bytes after RESUME_OK", hex: "00000000 3800 0000000000000001 ff", error: .trailingBytes(type: .resumeOK, count: 1)),
        Case(name: "KEEPALIVE position reserved bit", hex: "00000000 0c00 8000000000000000",
             error: .reservedBitSet(field: .lastReceivedPosition)),
        Case(name: "KEEPALIVE position cut short", hex: "00000000 0c00 00000000", error: .truncated(field: .lastReceivedPosition, needed: 8, available: 4)),
        Case(name: "LEASE cut short", hex: "00000000 0800 00000001", error: .truncated(field: .numberOfRequests, needed: 4, available: 0)),
        Case(name: "ERROR without a code", hex: "00000001 2c00 0002", error: .truncated(field: .errorCode, needed: 4, available: 2)),
        Case(name: "RESUME position reserved bit", hex: "00000000 3400 00010000 0000 8000000000000000 0000000000000000",
             error: .reservedBitSet(field: .lastReceivedServerPosition)),
        Case(name: "EXT type reserved bit", hex: "00000000 fe00 80000000", error: .reservedBitSet(field: .extendedType)),
    ]

    @Test("each malformed frame gets its own typed error", arguments: cases)
    func malformed(_ example: Case) {
        #expect(readFrame(bytes(example.hex)).failure == example.error)
    }

    @Test("every error says what is wrong in words")
    func descriptions() {
        for example in Self.cases {
            #expect(!example.error.description.isEmpty && !example.error.description.contains("FrameError"))
        }
    }
}
