extension FrameWriter {
    /// Appends a METADATA_PUSH frame on stream 0: `metadata` runs to the end of the frame,
    /// without a length, and the M flag is always set.
    @inlinable
    public mutating func writeMetadataPush(metadata: UnsafeRawBufferPointer) throws(FrameError) {
        try writeFrame(FrameHeader(streamID: 0, type: .metadataPush), metadata: metadata, data: UnsafeRawBufferPointer.empty)
    }
}
