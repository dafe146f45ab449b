extension FrameWriter {
    /// Appends a LEASE frame on stream 0: the peer may send `numberOfRequests` requests in the
    /// next `timeToLive` milliseconds (both 31 bits). Metadata, if any, runs to the end of the
    /// frame without a length.
    @inlinable
    public mutating func writeLease(
        timeToLive: UInt32, numberOfRequests: UInt32, metadata: UnsafeRawBufferPointer? = nil
    ) throws(FrameError) {
        try Self.check31(timeToLive, .timeToLive, positive: false)
        try Self.check31(numberOfRequests, .numberOfRequests, positive: false)
        try writeFrame(
            FrameHeader(streamID: 0, type: .lease), fieldsByteCount: 8, metadata: metadata,
            data: UnsafeRawBufferPointer.empty
        ) { fields in
            fields.unsafeStoreBigEndian(timeToLive, at: 0)
            fields.unsafeStoreBigEndian(numberOfRequests, at: 4)
        }
    }
}
