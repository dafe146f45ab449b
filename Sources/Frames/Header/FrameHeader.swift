/// The 6-byte header every RSocket 1.0 frame starts with: a u32 stream id whose top bit is
/// reserved, then a u16 holding `type << 10 | flags`, all big-endian.
@frozen
public struct FrameHeader: Hashable, Sendable {
    /// Bytes in a header.
    @inlinable public static var byteCount: Int { 6 }
    /// The largest stream id (31 bits).
    @inlinable public static var maxStreamID: UInt32 { 0x7FFF_FFFF }

    /// The stream the frame belongs to; 0 is the connection.
    public var streamID: UInt32
    /// The frame type.
    public var type: FrameType
    /// The flag bits.
    public var flags: FrameFlags

    /// A header with these fields (checked when written).
    @inlinable
    public init(streamID: UInt32, type: FrameType, flags: FrameFlags = []) {
        self.streamID = streamID
        self.type = type
        self.flags = flags
    }

    /// Reads the header at the start of `bytes`, checking only what a header alone can
    /// show: that 6 bytes are present and the stream id's reserved bit is clear.
    /// `FrameReader` checks the rest (type, flags, stream rule, body).
    @inlinable @inline(__always)
    public init(validating bytes: UnsafeRawBufferPointer) throws(FrameError) {
        guard bytes.count >= Self.byteCount else {
            throw .truncated(field: .header, needed: Self.byteCount, available: bytes.count)
        }
        let stream = bytes.unsafeLoadBigEndian(at: 0, as: UInt32.self)
        guard stream & 0x8000_0000 == 0 else { throw .reservedBitSet(field: .streamID) }
        let typeAndFlags = bytes.unsafeLoadBigEndian(at: 4, as: UInt16.self)
        self.init(
            streamID: stream, type: FrameType(rawValue: UInt8(typeAndFlags >> 10)),
            flags: FrameFlags(rawValue: typeAndFlags & FrameFlags.mask))
    }

    /// Writes the header at the start of `buffer`.
    ///
    /// Throws if the buffer is shorter than 6 bytes, the stream id uses its reserved bit,
    /// the type needs more than 6 bits or the flags more than 10.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer) throws(FrameError) {
        guard buffer.count >= Self.byteCount else {
            throw .bufferTooSmall(needed: Self.byteCount, available: buffer.count)
        }
        try validateForWriting()
        unsafeEncode(into: buffer, at: 0)
    }

    /// Checks the fields fit their bits before anything is written.
    @inlinable @inline(__always)
    func validateForWriting() throws(FrameError) {
        guard streamID <= Self.maxStreamID else { throw .valueOutOfRange(field: .streamID, value: Int(streamID)) }
        guard type.rawValue < 64 else { throw .valueOutOfRange(field: .header, value: Int(type.rawValue)) }
        guard flags.rawValue & ~FrameFlags.mask == 0 else { throw .valueOutOfRange(field: .flags, value: Int(flags.rawValue)) }
    }

    /// Writes the header at `offset`, unchecked: the caller knows the fields fit their bits
    /// (a stream id it allocated, a frame type without flags beyond the 10 bits) and that
    /// `buffer` holds 6 bytes there.
    @inlinable @inline(__always)
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.unsafeStoreBigEndian(streamID, at: offset)
        buffer.unsafeStoreBigEndian(UInt16(type.rawValue) << 10 | flags.rawValue, at: offset + 4)
    }
}
