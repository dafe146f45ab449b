/// A bounded single-producer single-consumer queue of `UInt32` (connection slot numbers)
/// between two threads, without locks: the TCP carrier's writer hands the I/O thread the
/// connections it has sent to (or closed), and gives back the slots of connections it has
/// seen closed.
///
/// Capacity is fixed; a producer that keeps each slot in the queue at most once (a flag per
/// slot) never finds it full.
final class IndexQueue: @unchecked Sendable {
    // Safe to share: `positions` are atomics with release/acquire publication, and each slot
    // of `storage` is written by the producer before the tail that covers it is published and
    // read by the consumer after it has seen that tail.
    private let positions = QueuePositions()
    private let storage: UnsafeMutablePointer<UInt32>
    private let mask: Int
    /// The number of entries it holds at most (a power of two).
    let capacity: Int

    /// A queue of at least `minimumCapacity` entries.
    init(minimumCapacity: Int) {
        var capacity = 1
        while capacity < minimumCapacity { capacity <<= 1 }
        self.capacity = capacity
        mask = capacity - 1
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
        positions.deallocate()
    }

    /// Producer: appends `value`; false when the queue is full (nothing appended).
    func push(_ value: UInt32) -> Bool {
        let tail = positions.tail.pointee.load(ordering: .relaxed)
        guard positions.producerHasRoom(for: 1, tail: tail, capacity: capacity) else { return false }
        storage[tail & mask] = value
        positions.tail.pointee.store(tail &+ 1, ordering: .releasing)
        return true
    }

    /// Consumer: removes and returns the oldest value, or nil when empty.
    func pop() -> UInt32? {
        let head = positions.head.pointee.load(ordering: .relaxed)
        guard positions.consumerAvailable(head: head) > 0 else { return nil }
        let value = storage[head & mask]
        positions.head.pointee.store(head &+ 1, ordering: .releasing)
        return value
    }

    /// Whether the queue looked empty (either side; a hint, exact only when both are idle).
    var isEmpty: Bool {
        positions.tail.pointee.load(ordering: .sequentiallyConsistent)
            == positions.head.pointee.load(ordering: .sequentiallyConsistent)
    }
}
