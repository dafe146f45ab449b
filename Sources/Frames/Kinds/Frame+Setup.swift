/// The fields of a SETUP frame (RSocket 1.0, "SETUP Frame (0x01)").
///
/// The byte fields (`unsafe...`) are views into the frame's buffer. The L (lease) flag is in the header:
/// `FrameReader.flags.contains(.lease)`.
@frozen
public struct SetupFields {
    /// Major version of the protocol (1 for RSocket 1.0).
    public var majorVersion: UInt16
    /// Minor version of the protocol (0 for RSocket 1.0).
    public var minorVersion: UInt16
    /// Milliseconds between KEEPALIVE frames the client sends (positive, 31 bits).
    public var keepaliveInterval: UInt32
    /// Milliseconds the client allows without a KEEPALIVE before it gives up (positive, 31 bits).
    public var maxLifetime: UInt32
    /// The resume identification token, present exactly when the R flag is set. A view
    /// into the frame's buffer, valid only while that buffer is (the ring record, the pooled
    /// lease); copy what must outlive it.
    public var unsafeResumeToken: UnsafeRawBufferPointer?
    /// MIME type of the metadata of every payload on this connection (ASCII). A view into
    /// the frame's buffer, valid only while that buffer is (the ring record, the pooled
    /// lease); copy what must outlive it.
    public var unsafeMetadataMIMEType: UnsafeRawBufferPointer
    /// MIME type of the data of every payload on this connection (ASCII); it picks the
    /// timeline encoding (`TimelineEncoding(mimeType:)`). A view into the frame's buffer,
    /// valid only while that buffer is (the ring record, the pooled lease); copy what must
    /// outlive it.
    public var unsafeDataMIMEType: UnsafeRawBufferPointer

    /// Reads the fields that follow the header; `flags` says whether a resume token is there.
    @inlinable
    init(reading cursor: inout FrameCursor, flags: FrameFlags) throws(FrameError) {
        majorVersion = try cursor.read(UInt16.self, field: .version)
        minorVersion = try cursor.read(UInt16.self, field: .version)
        keepaliveInterval = try cursor.read31(field: .keepaliveInterval, positive: true)
        maxLifetime = try cursor.read31(field: .maxLifetime, positive: true)
        if flags.contains(.resumeEnable) {
            let length = Int(try cursor.read(UInt16.self, field: .resumeToken))
            unsafeResumeToken = try cursor.slice(count: length, field: .resumeToken)
        } else {
            unsafeResumeToken = nil
        }
        unsafeMetadataMIMEType = try cursor.slice(count: Int(try cursor.read(UInt8.self, field: .metadataMIMEType)), field: .metadataMIMEType)
        unsafeDataMIMEType = try cursor.slice(count: Int(try cursor.read(UInt8.self, field: .dataMIMEType)), field: .dataMIMEType)
    }
}

extension FrameWriter {
    /// Appends a SETUP frame on stream 0.
    ///
    /// - Parameters:
    ///   - keepaliveInterval: milliseconds between KEEPALIVE frames (1 to 2^31-1).
    ///   - maxLifetime: milliseconds without a KEEPALIVE before the peer is dead (1 to 2^31-1).
    ///   - metadataMIMEType: MIME type of metadata (ASCII, at most 255 bytes).
    ///   - dataMIMEType: MIME type of data (ASCII, at most 255 bytes).
    ///   - majorVersion: protocol major version, 1 by default.
    ///   - minorVersion: protocol minor version, 0 by default.
    ///   - resumeToken: a resume token (at most 65,535 bytes); sets the R flag.
    ///   - lease: sets the L flag (the client honours LEASE).
    ///   - metadata: setup metadata; sets the M flag.
    ///   - data: setup data.
    @inlinable
    public mutating func writeSetup<Data: FrameEncodable>(
        keepaliveInterval: UInt32, maxLifetime: UInt32, metadataMIMEType: String, dataMIMEType: String,
        majorVersion: UInt16 = 1, minorVersion: UInt16 = 0, resumeToken: UnsafeRawBufferPointer? = nil,
        lease: Bool = false, metadata: UnsafeRawBufferPointer? = nil, data: Data = UnsafeRawBufferPointer.empty
    ) throws(FrameError) {
        try Self.check31(keepaliveInterval, .keepaliveInterval, positive: true)
        try Self.check31(maxLifetime, .maxLifetime, positive: true)
        let metadataMIME = metadataMIMEType.utf8.count
        let dataMIME = dataMIMEType.utf8.count
        guard metadataMIME <= Int(UInt8.max) else { throw .valueOutOfRange(field: .metadataMIMEType, value: metadataMIME) }
        guard dataMIME <= Int(UInt8.max) else { throw .valueOutOfRange(field: .dataMIMEType, value: dataMIME) }
        var flags: FrameFlags = lease ? .lease : []
        var tokenBytes = 0
        if let resumeToken {
            guard resumeToken.count <= Int(UInt16.max) else { throw .valueOutOfRange(field: .resumeToken, value: resumeToken.count) }
            flags.insert(.resumeEnable)
            tokenBytes = 2 + resumeToken.count
        }
        let fieldsByteCount = 12 + tokenBytes + 1 + metadataMIME + 1 + dataMIME
        try writeFrame(
            FrameHeader(streamID: 0, type: .setup, flags: flags), fieldsByteCount: fieldsByteCount,
            metadata: metadata, data: data
        ) { fields in
            fields.unsafeStoreBigEndian(majorVersion, at: 0)
            fields.unsafeStoreBigEndian(minorVersion, at: 2)
            fields.unsafeStoreBigEndian(keepaliveInterval, at: 4)
            fields.unsafeStoreBigEndian(maxLifetime, at: 8)
            var at = 12
            if let resumeToken {
                fields.unsafeStoreBigEndian(UInt16(resumeToken.count), at: at)
                fields.unsafeCopy(resumeToken, at: at + 2)
                at += tokenBytes
            }
            fields[at] = UInt8(metadataMIME)
            metadataMIMEType.unsafeEncode(into: fields.unsafeRegion(at: at + 1, count: metadataMIME))
            at += 1 + metadataMIME
            fields[at] = UInt8(dataMIME)
            dataMIMEType.unsafeEncode(into: fields.unsafeRegion(at: at + 1, count: dataMIME))
        }
    }
}
