/// The u24 big-endian length that precedes each frame on TCP (RSocket 1.0, "Framing Format").
/// On a shm ring the record length delimits the frame and there is no prefix.
///
/// Writing: `FrameWriter(buffer, framing: .lengthPrefixed)`. Reading: `nextFrame(in:)`.
public enum LengthPrefix {
    /// Bytes in the prefix.
    @inlinable public static var byteCount: Int { 3 }
    /// The largest length a u24 holds (16,777,215), for a frame and for metadata.
    @inlinable public static var maxLength: Int { 0xFF_FFFF }

    /// Splits the first length-prefixed frame off the front of `bytes` (bytes received from a
    /// stream socket). Returns nil when `bytes` does not yet hold the whole frame; otherwise
    /// the frame without its prefix (a view, not a copy) and the bytes to consume (prefix and
    /// frame). Throws `.frameTooShort` when the prefix announces fewer than 6 bytes.
    @inlinable
    public static func nextFrame(in bytes: UnsafeRawBufferPointer) throws(FrameError) -> (frame: UnsafeRawBufferPointer, consumed: Int)? {
        guard bytes.count >= byteCount else { return nil }
        let length = bytes.unsafeLoadBigEndianUInt24(at: 0)
        guard length >= FrameHeader.byteCount else { throw .frameTooShort(length: length) }
        guard bytes.count - byteCount >= length else { return nil }
        return (bytes.unsafeSlice(at: byteCount, count: length), byteCount + length)
    }
}
