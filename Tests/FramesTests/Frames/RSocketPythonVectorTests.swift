import Testing
@testable import Frames

/// The frames the Python client `rsocket` 0.4.20 sends (issue #3), with the TCP length
/// prefix: `FrameWriter` must produce exactly these bytes and `FrameReader` must read the
/// fields back.
struct RSocketPythonVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let name: String
        let hex: String
        let spec: @Sendable () -> FrameSpec
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "SETUP, defaults",
            hex: #"000034 00000000 0400 00010000 000003e8 000927c0 10 "application/json" 10 "application/json""#,
            spec: {
                FrameSpec(
                    streamID: 0,
                    kind: .setup(
                        major: 1, minor: 0, keepalive: 1000, lifetime: 600_000, token: nil, lease: false,
                        metadataMIME: "application/json", dataMIME: "application/json"))
            }),
        Vector(
            name: "REQUEST_RESPONSE, data hi", hex: "000008 00000001 1000 6869",
            spec: { FrameSpec(streamID: 1, kind: .requestResponse(follows: false), data: Array("hi".utf8)) }),
        Vector(
            name: "REQUEST_RESPONSE, metadata meta, data hello", hex: "000012 00000001 1100 000004 6d657461 68656c6c6f",
            spec: {
                FrameSpec(streamID: 1, kind: .requestResponse(follows: false), metadata: Array("meta".utf8), data: Array("hello".utf8))
            }),
        Vector(
            name: "REQUEST_STREAM, N=2, data s", hex: "00000b 00000005 1800 00000002 73",
            spec: { FrameSpec(streamID: 5, kind: .requestStream(n: 2, follows: false), data: Array("s".utf8)) }),
        Vector(
            name: "REQUEST_N 1 on stream 5", hex: "00000a 00000005 2000 00000001",
            spec: { FrameSpec(streamID: 5, kind: .requestN(1)) }),
        Vector(
            name: "KEEPALIVE with respond", hex: "00000e 00000000 0c80 0000000000000000",
            spec: { FrameSpec(streamID: 0, kind: .keepalive(respond: true, position: 0)) }),
    ]

    @Test("encodes exactly the bytes rsocket 0.4.20 sends", arguments: vectors)
    func encode(vector: Vector) throws {
        let encoded = try written(framing: .lengthPrefixed) { writer in try vector.spec().write(to: &writer) }
        #expect(encoded == bytes(vector.hex))
    }

    @Test("decodes the fields of the frames rsocket 0.4.20 sends", arguments: vectors)
    func decode(vector: Vector) throws {
        let stream = bytes(vector.hex)
        let decoded = try withExactBytes(stream) { raw in
            let split = try #require(try LengthPrefix.nextFrame(in: raw))
            #expect(split.consumed == stream.count)
            return FrameSpec(try FrameReader(validating: split.frame))
        }
        #expect(decoded == vector.spec())
    }

    @Test("reads the SETUP fields in place, as the server will")
    func setupFields() throws {
        let stream = bytes(Self.vectors[0].hex)
        try withExactBytes(stream) { raw in
            let frame = try FrameReader(validating: raw.unsafeSlice(at: 3, count: raw.count - 3))
            guard case .setup(let setup) = frame.fields else {
                Issue.record("not a SETUP: \(frame.type)")
                return
            }
            #expect(setup.keepaliveInterval == 1000)
            #expect(setup.maxLifetime == 600_000)
            #expect(setup.unsafeResumeToken == nil)
            #expect(TimelineEncoding(mimeType: setup.unsafeDataMIMEType) == .json)
            #expect(frame.unsafeMetadata == nil)
            #expect(frame.unsafeData.isEmpty)
        }
    }
}
