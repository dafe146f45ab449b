extension FrameWriter {
    /// Appends a PAYLOAD frame.
    ///
    /// At least one of `next` and `complete` must be set (RSocket 1.0 forbids neither).
    ///
    /// - Parameters:
    ///   - streamID: the stream (1 to 2^31-1).
    ///   - next: sets N: the frame carries a payload.
    ///   - complete: sets C: the stream is complete.
    ///   - follows: sets F: more fragments of this payload follow.
    ///   - metadata: metadata (at most 2^24-1 bytes); sets the M flag.
    ///   - data: the payload data, written in place.
    @inlinable
    public mutating func writePayload<Data: FrameEncodable>(
        streamID: UInt32, next: Bool = true, complete: Bool = false, follows: Bool = false,
        metadata: UnsafeRawBufferPointer? = nil, data: Data = UnsafeRawBufferPointer.empty
    ) throws(FrameError) {
        try Self.checkRequestStream(streamID)
        var flags: FrameFlags = []
        if next { flags.insert(.next) }
        if complete { flags.insert(.complete) }
        if follows { flags.insert(.follows) }
        guard next || complete else { throw .invalidFlags(type: .payload, flags: flags) }
        try writeFrame(FrameHeader(streamID: streamID, type: .payload, flags: flags), metadata: metadata, data: data)
    }
}
