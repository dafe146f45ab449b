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

    /// Copies `bytes` to `offset` as ``unsafeCopy(_:at:)`` does, but 4 to 16 bytes inline:
    /// two loads that may overlap, then two stores (no call). For the short fields of a hot
    /// path (a single write's key and member): a `memmove` call for each cost some 25
    /// instructions more, with its PLT stub and the registers saved around it.
    ///
    /// The caller has already checked that `offset + bytes.count <= count`.
    @inlinable @inline(__always)
    func unsafeCopyShort(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        guard let source = bytes.baseAddress, let target = baseAddress.map({ $0 + offset }) else { return }
        let count = bytes.count
        if count >= 8 && count <= 16 {
            let (head, tail) = (source.loadUnaligned(as: UInt64.self), source.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self))
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: count &- 8, as: UInt64.self)
        } else if count >= 4 && count < 8 {
            let (head, tail) = (source.loadUnaligned(as: UInt32.self), source.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: count &- 4, as: UInt32.self)
        } else if count > 0 {
            target.copyMemory(from: source, byteCount: count)
        }
    }
}
