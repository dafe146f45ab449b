import SeededRandom
import Testing
@testable import Frames

/// Property tests: random frames of every type survive a write and a read unchanged.
struct FrameRoundTripTests {
    @Test("random frames of every type round-trip, bare and length-prefixed", arguments: [1, 2, 3, 4] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let spec = FrameSpec.random(using: &random)
            let bare = try spec.encoded()
            #expect(readFrame(bare) == .success(spec), "seed \(seed)")
            let prefixed = try written(framing: .lengthPrefixed) { writer in try spec.write(to: &writer) }
            #expect(Array(prefixed.dropFirst(3)) == bare)
            #expect(Int(prefixed[0]) << 16 | Int(prefixed[1]) << 8 | Int(prefixed[2]) == bare.count)
        }
    }

    @Test("several frames written back to back split apart again on the length prefix")
    func stream() throws {
        var random = SplitMix64(seed: 7)
        let specs = (0..<50).map { _ in FrameSpec.random(using: &random) }
        let stream = try written(capacity: 64 * 1024, framing: .lengthPrefixed) { writer in
            for spec in specs { try spec.write(to: &writer) }
        }
        var read: [FrameSpec] = []
        try withExactBytes(stream) { raw in
            var rest = raw
            while let next = try LengthPrefix.nextFrame(in: rest) {
                read.append(FrameSpec(try FrameReader(validating: next.frame)))
                rest = rest.unsafeSlice(at: next.consumed, count: rest.count - next.consumed)
            }
            #expect(rest.isEmpty)
        }
        #expect(read == specs)
    }

    @Test("the header reads back what was written")
    func header() throws {
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let header = FrameHeader(
                streamID: random.uint31(), type: FrameType(rawValue: .random(in: 0..<64, using: &random)),
                flags: FrameFlags(rawValue: .random(in: 0...FrameFlags.mask, using: &random)))
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FrameHeader.byteCount, alignment: 1)
            defer { buffer.deallocate() }
            try header.encode(into: buffer)
            #expect(try FrameHeader(validating: UnsafeRawBufferPointer(buffer)) == header)
        }
    }

    @Test("an unknown type with the I flag is read as ignored, its bytes as data")
    func ignoredType() {
        let frame = bytes("00000003 4200 ffee")  // type 0x10, flags I
        #expect(readFrame(frame) == .success(FrameSpec(streamID: 3, kind: .ignored(FrameType(rawValue: 0x10)), data: [0xff, 0xee])))
    }

    @Test("the convenience flags answer only for the types that define them")
    func convenienceFlags() throws {
        // KEEPALIVE's R shares its bit with F: a KEEPALIVE never `follows`.
        try withExactBytes(bytes("00000000 0c80 0000000000000000")) { raw in
            let frame = try FrameReader(validating: raw)
            #expect(frame.respond && !frame.follows && !frame.complete && !frame.next)
        }
        // SETUP's R (resume enable) shares it too.
        try withExactBytes(bytes("00000000 0480 00010000 000003e8 000927c0 0000 00 00")) { raw in
            let frame = try FrameReader(validating: raw)
            #expect(frame.flags.contains(.resumeEnable) && !frame.follows && !frame.respond)
        }
        try withExactBytes(bytes("00000001 28e0")) { raw in  // PAYLOAD F C N
            let frame = try FrameReader(validating: raw)
            #expect(frame.follows && frame.complete && frame.next && !frame.respond)
        }
    }
}
