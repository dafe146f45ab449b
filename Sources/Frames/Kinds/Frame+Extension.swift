extension FrameWriter {
    /// Appends an EXT frame.
    ///
    /// - Parameters:
    ///   - streamID: any stream, 0 included.
    ///   - extendedType: the extension's type (31 bits).
    ///   - ignore: sets I: a receiver that does not know the extension may drop the frame.
    ///   - metadata: metadata; sets the M flag.
    ///   - data: data.
    @inlinable
    public mutating func writeExtension<Data: FrameEncodable>(
        streamID: UInt32, extendedType: UInt32, ignore: Bool = true, metadata: UnsafeRawBufferPointer? = nil,
        data: Data = UnsafeRawBufferPointer.empty
    ) throws(FrameError) {
        try Self.check31(extendedType, .extendedType, positive: false)
        try writeFrame(
            FrameHeader(streamID: streamID, type: .ext, flags: ignore ? .ignore : []), fieldsByteCount: 4,
            metadata: metadata, data: data
        ) { $0.unsafeStoreBigEndian(extendedType, at: 0) }
    }
}
