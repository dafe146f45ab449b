import Frames
import SeededRandom
import Testing
@testable import Transport

/// Reassembly of incoming fragments and fragmentation of outgoing payloads.
@Suite struct SessionFragmentTests {
    /// The frames `FrameFragmenter` cuts a payload into, copied.
    static func fragments(
        _ kind: PayloadFrameKind, streamID: UInt32, metadata: [UInt8]?, data: [UInt8], maxFrameLength: Int
    ) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        try data.withUnsafeBytes { data in
            func run(_ metadata: UnsafeRawBufferPointer?) throws {
                try FrameFragmenter.write(kind, streamID: streamID, metadata: metadata, data: data, maxFrameLength: maxFrameLength, scratch: scratch) { frame in
                    frames.append(Array(frame))
                    return true
                }
            }
            if let metadata { try metadata.withUnsafeBytes { try run($0) } } else { try run(nil) }
        }
        return frames
    }

    @Test("a fragmented request is reassembled into one delivery")
    func reassembly() {
        var session = SessionHarness()
        #expect(session.feed(Wire.rr(1, "ab", follows: true)) == .none)
        #expect(session.feed(Wire.payload(1, "cd", follows: true)) == .none)
        #expect(session.machine.reassemblyBytes == 4)
        #expect(session.feed(Wire.payload(1, "ef")) == .requestResponse(StreamRef(streamID: 1, generation: 0), "abcdef", metadata: nil))
        #expect(session.machine.reassemblyBytes == 0)
        #expect(session.feed(Wire.fnf(3, "x", follows: true)) == .none)
        #expect(session.feed(Wire.payload(3, "y")) == .fireAndForget("xy", metadata: nil))
        #expect(session.machine.openStreamCount == 1)
    }

    @Test("fragments past the connection's bound close it; a CANCEL mid-way frees them")
    func reassemblyBound() {
        var session = SessionHarness(configuration: SessionConfiguration(maxReassemblyBytes: 10))
        _ = session.feed(Wire.rr(1, "12345", follows: true))
        _ = session.feed(Wire.fnf(3, "123", follows: true))
        #expect(session.feed(Wire.payload(3, "1234")).errorCode == .connectionError)
        var cancelled = SessionHarness(configuration: SessionConfiguration(maxReassemblyBytes: 10))
        _ = cancelled.feed(Wire.rr(1, "1234567", follows: true))
        #expect(cancelled.feed(Wire.cancel(1)) == .none, "not started: the responder never heard of it")
        #expect(cancelled.machine.reassemblyBytes == 0)
        #expect(cancelled.feed(Wire.rr(3, "1234567", follows: true)) == .none)
        #expect(SessionConfiguration().maxReassemblyBytes == 16 << 20)
    }

    @Test("fragments of a channel payload are reassembled too")
    func channelPayloadFragments() {
        var session = SessionHarness()
        let ref = session.feed(Wire.channel(1, 1)).ref!
        #expect(session.feed(Wire.payload(1, "he", follows: true)) == .none)
        #expect(session.feed(Wire.payload(1, "llo", complete: true)) == .channelPayload(ref, "hello", complete: true, grant: 0))
    }

    @Test("outgoing payloads of any size are cut to the frame limit and reassemble exactly (seeded)")
    func fragmenterRoundTrip() throws {
        var random = SplitMix64(seed: 0x5E55_1011)
        for round in 0..<300 {
            let limit = Int.random(in: FrameFragmenter.minimumFrameLength...200, using: &random)
            let data = (0..<Int.random(in: 0...900, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let metadata: [UInt8]? = Bool.random(using: &random)
                ? (0..<Int.random(in: 0...500, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } : nil
            let kinds: [PayloadFrameKind] = [.requestResponse, .fireAndForget, .requestStream(initialRequestN: 3), .requestChannel(initialRequestN: 2, complete: false)]
            let kind = kinds[round % kinds.count]
            let frames = try Self.fragments(kind, streamID: 1, metadata: metadata, data: data, maxFrameLength: limit)
            #expect(frames.allSatisfy { $0.count <= limit })
            var session = SessionHarness()
            var delivered: (data: [UInt8], metadata: [UInt8]?)?
            for (index, frame) in frames.enumerated() {
                frame.withUnsafeBytes { raw in
                    let action = session.machine.receive(raw, now: session.now)
                    let payload: PayloadView?
                    switch action {
                    case .requestResponse(_, let p), .fireAndForget(let p), .requestStream(_, let p, _), .requestChannel(_, let p, _, _): payload = p
                    default: payload = nil
                    }
                    if let payload {
                        #expect(index == frames.count - 1, "delivered on the last fragment only")
                        delivered = (Array(payload.unsafeData), payload.unsafeMetadata.map { Array($0) })
                    }
                }
            }
            #expect(delivered?.data == data, "round \(round)")
            #expect(delivered?.metadata == metadata, "round \(round)")
        }
    }

    @Test("a fragmented PAYLOAD: N on every fragment, F on all but the last, C only on the last")
    func payloadFragmentFlags() throws {
        let data = [UInt8](repeating: 0xAB, count: 100)
        let frames = try Self.fragments(.payload(next: true, complete: true), streamID: 5, metadata: [1, 2, 3], data: data, maxFrameLength: 30)
        #expect(frames.count > 3)
        var metadata: [UInt8] = []
        var joined: [UInt8] = []
        for (index, frame) in frames.enumerated() {
            try frame.withUnsafeBytes { raw in
                let reader = try FrameReader(validating: raw)
                #expect(reader.type == .payload && reader.streamID == 5)
                #expect(reader.next)
                #expect(reader.follows == (index < frames.count - 1))
                #expect(reader.complete == (index == frames.count - 1))
                if let m = reader.unsafeMetadata { metadata += m }
                joined += reader.unsafeData
            }
        }
        #expect(metadata == [1, 2, 3])
        #expect(joined == data)
        #expect(throws: FrameError.self) { try Self.fragments(.fireAndForget, streamID: 1, metadata: nil, data: data, maxFrameLength: 13) }
    }
}
