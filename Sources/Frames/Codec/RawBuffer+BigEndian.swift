// The one place where multi-byte fields are loaded and stored in network byte order.
// Every caller checks the bounds first; these helpers do not.

extension UnsafeRawBufferPointer {
    /// Loads a big-endian integer of type `T` at `offset`, which may be unaligned.
    ///
    /// The caller has already checked that `offset + MemoryLayout<T>.size <= count`.
    @inlinable @inline(__always)
    func unsafeLoadBigEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Loads the 24-bit big-endian unsigned integer at `offset` (three bytes).
    ///
    /// The caller has already checked that `offset + 3 <= count`.
    @inlinable @inline(__always)
    func unsafeLoadBigEndianUInt24(at offset: Int) -> Int {
        Int(self[offset]) << 16 | Int(self[offset + 1]) << 8 | Int(self[offset + 2])
    }

    /// Loads the big-endian IEEE 754 binary64 at `offset`.
    @inlinable @inline(__always)
    func unsafeLoadBigEndianDouble(at offset: Int) -> Double {
        Double(bitPattern: unsafeLoadBigEndian(at: offset, as: UInt64.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores `value` big-endian at `offset`, which may be unaligned.
    ///
    /// The caller has already checked that `offset + MemoryLayout<T>.size <= count`.
    @inlinable @inline(__always)
    func unsafeStoreBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }

    /// Stores the low 24 bits of `value` big-endian at `offset` (three bytes).
    @inlinable @inline(__always)
    func unsafeStoreBigEndianUInt24(_ value: Int, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 2] = UInt8(truncatingIfNeeded: value)
    }

    /// Stores `value` as a big-endian IEEE 754 binary64 at `offset`.
    @inlinable @inline(__always)
    func unsafeStoreBigEndianDouble(_ value: Double, at offset: Int) {
        unsafeStoreBigEndian(value.bitPattern, at: offset)
    }
}
