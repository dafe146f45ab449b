/// Whether frames are written bare or each behind the u24 length prefix used on TCP.
public enum Framing: Sendable {
    /// Just the frame (a shm ring record delimits it).
    case bare
    /// A u24 big-endian frame length, then the frame (RSocket over TCP).
    case lengthPrefixed
}

/// Writes RSocket 1.0 frames in place into a buffer it does not own (a leased pool buffer, a
/// ring record, a socket write buffer): a flyweight.
///
/// Each `write...` method appends one whole frame after the ones already written, or throws
/// and writes nothing: every value is checked against its field, and the room for the whole
/// frame is checked, before the first byte is stored. Nothing is allocated.
///
/// ```swift
/// var writer = FrameWriter(buffer, framing: .lengthPrefixed)
/// try writer.writeRequestFireAndForget(streamID: 1, data: request)
/// send(writer.written)
/// ```
@frozen
public struct FrameWriter {
    /// The buffer written into.
    public let buffer: UnsafeMutableRawBufferPointer
    /// Bare frames, or frames behind a TCP length prefix.
    public let framing: Framing
    /// Bytes written so far (frames and their prefixes).
    @inlinable public var count: Int { end }
    /// Where the next frame starts.
    @usableFromInline var end: Int

    /// A writer that starts at the beginning of `buffer`.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer, framing: Framing = .bare) {
        self.buffer = buffer
        self.framing = framing
        self.end = 0
    }

    /// The bytes written so far.
    @inlinable
    public var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer).unsafeSlice(at: 0, count: count) }

    /// Forgets what was written, to reuse the buffer from its start.
    @inlinable
    public mutating func reset() { end = 0 }

    /// Appends one frame: header, `fieldsByteCount` bytes of type-specific fields written by
    /// `fields` (given exactly that region), then metadata and data as `shape` lays them out.
    /// Sets the M flag when `metadata` is present. Callers have checked the field values.
    @inlinable @inline(__always)
    mutating func writeFrame<Data: FrameEncodable>(
        _ header: FrameHeader, fieldsByteCount: Int = 0, metadata: UnsafeRawBufferPointer?, data: Data,
        fields: (UnsafeMutableRawBufferPointer) -> Void = { _ in }
    ) throws(FrameError) {
        var header = header
        let shape = header.type.payloadShape
        var metadataBytes = 0
        if let metadata {
            guard metadata.count <= LengthPrefix.maxLength else {
                throw .valueOutOfRange(field: .metadata, value: metadata.count)
            }
            header.flags.insert(.metadata)
            metadataBytes = (shape == .metadataAndData ? 3 : 0) + metadata.count
        }
        try header.validateForWriting()
        let dataBytes = data.encodedByteCount
        let frameLength = FrameHeader.byteCount + fieldsByteCount + metadataBytes + dataBytes
        let prefixBytes = framing == .lengthPrefixed ? LengthPrefix.byteCount : 0
        if prefixBytes > 0 && frameLength > LengthPrefix.maxLength {
            throw .valueOutOfRange(field: .frameLength, value: frameLength)
        }
        let available = buffer.count - count
        guard prefixBytes + frameLength <= available else {
            throw .bufferTooSmall(needed: prefixBytes + frameLength, available: available)
        }
        var at = count
        if prefixBytes > 0 {
            buffer.unsafeStoreBigEndianUInt24(frameLength, at: at)
            at += prefixBytes
        }
        header.unsafeEncode(into: buffer, at: at)
        at += FrameHeader.byteCount
        fields(buffer.unsafeRegion(at: at, count: fieldsByteCount))
        at += fieldsByteCount
        if let metadata {
            if shape == .metadataAndData {
                buffer.unsafeStoreBigEndianUInt24(metadata.count, at: at)
                at += 3
            }
            buffer.unsafeCopy(metadata, at: at)
            at += metadata.count
        }
        data.unsafeEncode(into: buffer.unsafeRegion(at: at, count: dataBytes))
        end = at + dataBytes
    }

    /// Checks a value for a 31-bit field (top bit reserved), and for zero where `positive`.
    @inlinable @inline(__always)
    static func check31(_ value: UInt32, _ field: FrameField, positive: Bool) throws(FrameError) {
        guard value & 0x8000_0000 == 0 else { throw .valueOutOfRange(field: field, value: Int(value)) }
        guard !positive || value != 0 else { throw .zeroValue(field: field) }
    }

    /// Checks a value for a 63-bit position (top bit reserved).
    @inlinable @inline(__always)
    static func check63(_ value: UInt64, _ field: FrameField) throws(FrameError) {
        guard value & 0x8000_0000_0000_0000 == 0 else { throw .valueOutOfRange(field: field, value: Int(bitPattern: UInt(value))) }
    }
}
