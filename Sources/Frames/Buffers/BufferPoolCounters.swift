/// What a buffer pool has done since it was made.
@frozen
public struct BufferPoolCounters: Hashable, Sendable {
    /// Buffers leased, misses included.
    public var leases: UInt64 = 0
    /// Leases the pool could not serve from its own buffers (it was empty), served by a
    /// one-off allocation freed on return. A pool sized right never misses.
    public var misses: UInt64 = 0
    /// Buffers returned.
    public var returns: UInt64 = 0
    /// Buffers leased and not yet returned.
    public var outstanding: Int = 0
    /// The most buffers leased at once; above the capacity when misses happened.
    public var highWaterMark: Int = 0

    /// All zero.
    @inlinable
    public init() {}
}
