/// A bounds-checked read position inside one frame: each read checks the bytes are there
/// first and throws a `FrameError` naming the field otherwise.
@usableFromInline
struct FrameCursor {
    /// The whole frame.
    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    @usableFromInline var offset: Int

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Bytes not yet read.
    @inlinable
    var remaining: Int { bytes.count - offset }

    /// Reads a big-endian integer of `T`'s width, or throws `.truncated` for `field`.
    @inlinable
    mutating func read<T: FixedWidthInteger>(_ type: T.Type, field: FrameField) throws(FrameError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(field: field, needed: size, available: remaining) }
        defer { offset += size }
        return bytes.unsafeLoadBigEndian(at: offset, as: T.self)
    }

    /// Reads a 31-bit value stored in a u32 (the top bit reserved), rejecting the reserved
    /// bit and, where `positive`, zero.
    @inlinable
    mutating func read31(field: FrameField, positive: Bool) throws(FrameError) -> UInt32 {
        let value = try read(UInt32.self, field: field)
        guard value & 0x8000_0000 == 0 else { throw .reservedBitSet(field: field) }
        guard !positive || value != 0 else { throw .zeroValue(field: field) }
        return value
    }

    /// Reads a 63-bit position stored in a u64 (the top bit reserved).
    @inlinable
    mutating func read63(field: FrameField) throws(FrameError) -> UInt64 {
        let value = try read(UInt64.self, field: field)
        guard value & 0x8000_0000_0000_0000 == 0 else { throw .reservedBitSet(field: field) }
        return value
    }

    /// Reads the u24 at the cursor (a metadata length).
    @inlinable
    mutating func readUInt24(field: FrameField) throws(FrameError) -> Int {
        guard remaining >= 3 else { throw .truncated(field: field, needed: 3, available: remaining) }
        defer { offset += 3 }
        return bytes.unsafeLoadBigEndianUInt24(at: offset)
    }

    /// A view of the next `count` bytes, or `.lengthBeyondEnd` when fewer are present.
    @inlinable
    mutating func slice(count: Int, field: FrameField) throws(FrameError) -> UnsafeRawBufferPointer {
        guard remaining >= count else { throw .lengthBeyondEnd(field: field, length: count, available: remaining) }
        defer { offset += count }
        return bytes.unsafeSlice(at: offset, count: count)
    }

    /// A view of everything not yet read (possibly empty); the cursor ends at the end.
    @inlinable
    mutating func rest() -> UnsafeRawBufferPointer {
        defer { offset = bytes.count }
        return bytes.unsafeSlice(at: offset, count: remaining)
    }
}
