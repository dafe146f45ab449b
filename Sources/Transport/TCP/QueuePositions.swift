import Synchronization

/// The positions of a single-producer single-consumer queue, unsafe raw memory: the
/// producer's line (the tail it publishes, its cached copy of the head) and the consumer's
/// line (the head it publishes, its cached copy of the tail), each alone on 128 bytes so the
/// two threads never write the same cache line. Positions count up forever (`Int`); the
/// queue masks them into its storage.
///
/// The owner frees the block with ``deallocate()`` exactly once.
struct QueuePositions: @unchecked Sendable {
    /// Bytes per line: two cache lines, against the adjacent-line prefetcher.
    private static let lineLength = 128

    private let base: UnsafeMutableRawPointer

    /// A zeroed block: an empty queue.
    init() {
        base = .allocate(byteCount: 2 * Self.lineLength, alignment: Self.lineLength)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: 2 * Self.lineLength)
    }

    /// Frees the block.
    func deallocate() { base.deallocate() }

    /// The tail: positions ever produced (published by the producer with release ordering).
    var tail: UnsafeMutablePointer<Atomic<Int>> { base.assumingMemoryBound(to: Atomic<Int>.self) }

    /// The head: positions ever consumed (published by the consumer with release ordering).
    var head: UnsafeMutablePointer<Atomic<Int>> {
        (base + Self.lineLength).assumingMemoryBound(to: Atomic<Int>.self)
    }

    /// The producer's last look at the head (touched by the producer only).
    var producerCachedHead: Int {
        get { base.load(fromByteOffset: 8, as: Int.self) }
        nonmutating set { base.storeBytes(of: newValue, toByteOffset: 8, as: Int.self) }
    }

    /// The consumer's last look at the tail (touched by the consumer only).
    var consumerCachedTail: Int {
        get { base.load(fromByteOffset: Self.lineLength + 8, as: Int.self) }
        nonmutating set { base.storeBytes(of: newValue, toByteOffset: Self.lineLength + 8, as: Int.self) }
    }

    /// Producer side: whether `count` more positions fit in `capacity`, reloading the head
    /// only when the cached copy says no.
    @inline(__always)
    func producerHasRoom(for count: Int, tail: Int, capacity: Int) -> Bool {
        if capacity &- (tail &- producerCachedHead) >= count { return true }
        let head = self.head.pointee.load(ordering: .acquiring)
        producerCachedHead = head
        return capacity &- (tail &- head) >= count
    }

    /// Consumer side: positions available at `head`, reloading the tail only when the cached
    /// copy shows none.
    @inline(__always)
    func consumerAvailable(head: Int) -> Int {
        var available = consumerCachedTail &- head
        if available == 0 {
            let tail = self.tail.pointee.load(ordering: .acquiring)
            consumerCachedTail = tail
            available = tail &- head
        }
        return available
    }
}
