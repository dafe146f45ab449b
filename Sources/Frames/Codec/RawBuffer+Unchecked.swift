// Views and copies inside raw buffers without bounds checks. Every caller has checked the
// bounds first; these helpers do not.

extension UnsafeRawBufferPointer {
    /// Zero bytes, for a frame without metadata or data.
    @inlinable
    public static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    /// The `count` bytes at `offset`, as a view into this buffer (no copy).
    ///
    /// The caller has already checked that `offset + count <= self.count`.
    @inlinable @inline(__always)
    func unsafeSlice(at offset: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress.map { $0 + offset }, count: count)
    }
}

extension UnsafeMutableRawBufferPointer {
    /// The `count` bytes at `offset`, as a view into this buffer.
    ///
    /// The caller has already checked that `offset + count <= self.count`.
    @inlinable @inline(__always)
    func unsafeRegion(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: baseAddress.map { $0 + offset }, count: count)
    }

    /// Copies `bytes` to `offset`.
    ///
    /// The caller has already checked that `offset + bytes.count <= count`.
    @inlinable @inline(__always)
    func unsafeCopy(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        guard let source = bytes.baseAddress, bytes.count > 0, let target = baseAddress else { return }
        (target + offset).copyMemory(from: source, byteCount: bytes.count)
    }
}
