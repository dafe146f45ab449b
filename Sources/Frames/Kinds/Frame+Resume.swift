/// The fields of a RESUME frame (RSocket 1.0, "RESUME Frame (0x0D)"). The token
/// (`unsafeResumeToken`) is a view into the frame's buffer.
@frozen
public struct ResumeFields {
    /// Major version of the protocol.
    public var majorVersion: UInt16
    /// Minor version of the protocol.
    public var minorVersion: UInt16
    /// The resume identification token given in SETUP. A view into the frame's buffer,
    /// valid only while that buffer is (the ring record, the pooled lease); copy what must
    /// outlive it.
    public var unsafeResumeToken: UnsafeRawBufferPointer
    /// The last implied position the client received from the server (63 bits).
    public var lastReceivedServerPosition: UInt64
    /// The earliest position the client can still replay (63 bits).
    public var firstAvailableClientPosition: UInt64

    /// Reads the fields that follow the header.
    @inlinable
    init(reading cursor: inout FrameCursor) throws(FrameError) {
        majorVersion = try cursor.read(UInt16.self, field: .version)
        minorVersion = try cursor.read(UInt16.self, field: .version)
        unsafeResumeToken = try cursor.slice(count: Int(try cursor.read(UInt16.self, field: .resumeToken)), field: .resumeToken)
        lastReceivedServerPosition = try cursor.read63(field: .lastReceivedServerPosition)
        firstAvailableClientPosition = try cursor.read63(field: .firstAvailableClientPosition)
    }
}

extension FrameWriter {
    /// Appends a RESUME frame on stream 0 (token at most 65,535 bytes; positions 63 bits).
    @inlinable
    public mutating func writeResume(
        resumeToken: UnsafeRawBufferPointer, lastReceivedServerPosition: UInt64, firstAvailableClientPosition: UInt64,
        majorVersion: UInt16 = 1, minorVersion: UInt16 = 0
    ) throws(FrameError) {
        guard resumeToken.count <= Int(UInt16.max) else { throw .valueOutOfRange(field: .resumeToken, value: resumeToken.count) }
        try Self.check63(lastReceivedServerPosition, .lastReceivedServerPosition)
        try Self.check63(firstAvailableClientPosition, .firstAvailableClientPosition)
        try writeFrame(
            FrameHeader(streamID: 0, type: .resume), fieldsByteCount: 22 + resumeToken.count, metadata: nil,
            data: UnsafeRawBufferPointer.empty
        ) { fields in
            fields.unsafeStoreBigEndian(majorVersion, at: 0)
            fields.unsafeStoreBigEndian(minorVersion, at: 2)
            fields.unsafeStoreBigEndian(UInt16(resumeToken.count), at: 4)
            fields.unsafeCopy(resumeToken, at: 6)
            fields.unsafeStoreBigEndian(lastReceivedServerPosition, at: 6 + resumeToken.count)
            fields.unsafeStoreBigEndian(firstAvailableClientPosition, at: 14 + resumeToken.count)
        }
    }

    /// Appends a RESUME_OK frame on stream 0 with the server's last received client position.
    @inlinable
    public mutating func writeResumeOK(lastReceivedClientPosition: UInt64) throws(FrameError) {
        try Self.check63(lastReceivedClientPosition, .lastReceivedClientPosition)
        try writeFrame(
            FrameHeader(streamID: 0, type: .resumeOK), fieldsByteCount: 8, metadata: nil, data: UnsafeRawBufferPointer.empty
        ) { $0.unsafeStoreBigEndian(lastReceivedClientPosition, at: 0) }
    }
}
