import Frames

/// The inputs of the `encoding` suite, made once: 64 distinct insert events (timeline-like
/// keys and members of varying length, timestamp scores), the same events as JSON values,
/// and each event pre-encoded as a bare REQUEST_FNF frame in both encodings, for the
/// decode cases. Loops cycle through the 64 so no iteration sees a constant input.
final class EncodingFixture {
    /// Events per cycle (a power of two: `index & mask`).
    static let count = 64
    static let mask = count - 1

    /// Keys and members, back to back.
    private let arena: UnsafeMutableRawBufferPointer
    /// Event `i`'s key and member: views into `arena`.
    let keys: [UnsafeRawBufferPointer]
    let members: [UnsafeRawBufferPointer]
    let scores: [Double]
    /// Event `i` as a JSON value (strings), as a JSON client would hold it.
    let json: [TimelineJSONRequest]
    /// Event `i` encoded as a REQUEST_FNF frame, binary and JSON: views into `frameArena`.
    let binaryFrames: [UnsafeRawBufferPointer]
    let jsonFrames: [UnsafeRawBufferPointer]
    private let frameArena: UnsafeMutableRawBufferPointer

    init() throws {
        var keyStrings: [String] = []
        var memberStrings: [String] = []
        var scores: [Double] = []
        for index in 0..<Self.count {
            keyStrings.append("timeline:user:\(100_000 + index * 7_919)")
            memberStrings.append("track:\(String(repeating: "x", count: index % 9))\(9_000_000 + index * 104_729)")
            scores.append(1_700_000_000 + Double(index) * 0.25)
        }
        let total = (keyStrings + memberStrings).reduce(0) { $0 + $1.utf8.count }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 8)
        self.arena = arena
        var at = 0
        func place(_ string: String) -> UnsafeRawBufferPointer {
            let bytes = Array(string.utf8)
            let slot = UnsafeMutableRawBufferPointer(rebasing: arena[at..<(at + bytes.count)])
            slot.copyBytes(from: bytes)
            at += bytes.count
            return UnsafeRawBufferPointer(slot)
        }
        keys = keyStrings.map(place)
        members = memberStrings.map(place)
        self.scores = scores
        json = (0..<Self.count).map { .insert(key: keyStrings[$0], score: scores[$0], member: memberStrings[$0]) }

        let frameArena = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * Self.count * 2, alignment: 8)
        self.frameArena = frameArena
        let codec = TimelineJSONCodec()
        var binaryFrames: [UnsafeRawBufferPointer] = []
        var jsonFrames: [UnsafeRawBufferPointer] = []
        for index in 0..<Self.count {
            let binarySlot = UnsafeMutableRawBufferPointer(rebasing: frameArena[(index * 512)..<(index * 512 + 256)])
            var writer = FrameWriter(binarySlot)
            try writer.writeRequestFireAndForget(
                streamID: UInt32(index + 1), data: try TimelineRequest.insert(key: keys[index], score: scores[index], member: members[index]))
            binaryFrames.append(writer.written)
            let jsonSlot = UnsafeMutableRawBufferPointer(rebasing: frameArena[(index * 512 + 256)..<(index * 512 + 512)])
            writer = FrameWriter(jsonSlot)
            try writer.writeRequestFireAndForget(streamID: UInt32(index + 1), data: try codec.encode(json[index]))
            jsonFrames.append(writer.written)
        }
        self.binaryFrames = binaryFrames
        self.jsonFrames = jsonFrames
    }

    deinit {
        arena.deallocate()
        frameArena.deallocate()
    }

    /// Event `index` (mod 64) as a binary insert request over the fixture's bytes.
    @inline(__always)
    func request(_ index: Int) throws(TimelineCodecError) -> TimelineRequest {
        let slot = index & Self.mask
        return try .insert(key: keys[slot], score: scores[slot], member: members[slot])
    }
}
