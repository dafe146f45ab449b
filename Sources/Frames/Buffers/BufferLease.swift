/// A pool that takes back the buffers of ending `BufferLease`s.
public protocol BufferRecycling: AnyObject {
    /// Takes back `slot`. Called by `BufferLease` when the lease ends, exactly once per
    /// lease; a `BufferSlot` cannot be made outside this module.
    func recycle(_ slot: BufferSlot)
}

/// Exclusive use of one buffer of a pool, until the lease ends: when it is dropped
/// (`deinit`) or given back with `release()`. Non-copyable, so the buffer has one owner and
/// is returned exactly once.
///
/// Leases of a `SharedBufferPool` are `Sendable`: a thread can fill a buffer and hand the
/// lease to another thread, which returns it. Leases of a `BufferPool` stay on its thread.
///
/// ```swift
/// var lease = pool.lease()
/// try lease.withFrameWriter { try $0.writeRequestFireAndForget(streamID: 1, data: request) }
/// lease.withUnsafeBytes { send($0) }
/// ```
@frozen
public struct BufferLease<Pool: BufferRecycling>: ~Copyable {
    @usableFromInline let pool: Pool
    @usableFromInline let slot: BufferSlot
    @usableFromInline var length = 0

    @inlinable
    init(pool: Pool, slot: BufferSlot) {
        self.pool = pool
        self.slot = slot
    }

    deinit {
        pool.recycle(slot)
    }

    /// Ends the lease now, giving the buffer back.
    @inlinable
    public consuming func release() {}

    /// The buffer's size in bytes.
    @inlinable
    public var capacity: Int { slot.bytes.count }

    /// Bytes of content, as set by `withFrameWriter` (0 on a fresh lease).
    @inlinable
    public var count: Int { length }

    /// Calls `body` with the content: the first `count` bytes.
    @inlinable
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(slot.bytes).unsafeSlice(at: 0, count: length))
    }

    /// Calls `body` with the whole buffer, to write into; `count` is unchanged. The pointer
    /// must not escape `body`.
    @inlinable
    public mutating func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(slot.bytes)
    }

    /// Calls `body` with a `FrameWriter` over the whole buffer, from its start; afterwards
    /// `count` is what the writer wrote (also when `body` throws).
    @inlinable
    public mutating func withFrameWriter<Result, Failure: Error>(
        framing: Framing = .bare, _ body: (inout FrameWriter) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var writer = FrameWriter(slot.bytes, framing: framing)
        defer { length = writer.count }
        return try body(&writer)
    }
}

extension BufferLease: @unchecked Sendable where Pool: Sendable {}
