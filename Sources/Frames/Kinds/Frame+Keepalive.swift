extension FrameWriter {
    /// Appends a KEEPALIVE frame on stream 0.
    ///
    /// - Parameters:
    ///   - respond: sets R: the receiver must answer with a KEEPALIVE.
    ///   - lastReceivedPosition: the sender's resume position (63 bits; 0 without resumption).
    ///   - data: optional data.
    @inlinable
    public mutating func writeKeepalive<Data: FrameEncodable>(
        respond: Bool, lastReceivedPosition: UInt64 = 0, data: Data = UnsafeRawBufferPointer.empty
    ) throws(FrameError) {
        try Self.check63(lastReceivedPosition, .lastReceivedPosition)
        try writeFrame(
            FrameHeader(streamID: 0, type: .keepalive, flags: respond ? .respond : []), fieldsByteCount: 8,
            metadata: nil, data: data
        ) { $0.unsafeStoreBigEndian(lastReceivedPosition, at: 0) }
    }
}
