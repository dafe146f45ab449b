/// Something a `FrameWriter` can write as a frame's metadata or data, straight into the
/// frame's buffer: raw bytes, a string, a timeline message in its binary layout.
///
/// The writer asks for `encodedByteCount` first, checks the whole frame fits, and only then
/// calls `unsafeEncode(into:)`, so a conformer writes without checking room itself.
public protocol FrameEncodable {
    /// The exact number of bytes `unsafeEncode(into:)` writes.
    var encodedByteCount: Int { get }

    /// Writes exactly `encodedByteCount` bytes at the start of `buffer`, which the caller
    /// guarantees holds at least that many.
    func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer)
}

extension UnsafeRawBufferPointer: FrameEncodable {
    /// The buffer's size.
    @inlinable public var encodedByteCount: Int { count }

    /// Copies the bytes.
    @inlinable
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        buffer.unsafeCopy(self, at: 0)
    }
}

extension Array: FrameEncodable where Element == UInt8 {
    /// The array's size.
    @inlinable public var encodedByteCount: Int { count }

    /// Copies the bytes.
    @inlinable
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        withUnsafeBytes { buffer.unsafeCopy($0, at: 0) }
    }
}

extension String: FrameEncodable {
    /// The string's UTF-8 size.
    @inlinable public var encodedByteCount: Int { utf8.count }

    /// Copies the string's UTF-8 bytes.
    @inlinable
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        let copied: Void? = utf8.withContiguousStorageIfAvailable { buffer.unsafeCopy(UnsafeRawBufferPointer($0), at: 0) }
        if copied == nil {
            for (index, byte) in utf8.enumerated() { buffer[index] = byte }
        }
    }
}
