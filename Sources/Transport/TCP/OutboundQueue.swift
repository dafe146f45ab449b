import Glibc
import Frames
import Posix

/// One connection's bounded outbound byte queue, single producer (the thread that sends)
/// and single consumer (the thread that writes to the socket), without locks: frames go in
/// behind their u24 length prefix, and come out as at most two contiguous regions (the queue
/// wraps) for one `writev`.
///
/// The storage is an anonymous mapping: pages cost memory only once touched, and
/// ``releasePages()`` hands them back when a connection ends.
final class OutboundQueue: @unchecked Sendable {
    // Safe to share: the producer writes bytes only between the tail and the head it has
    // seen, publishes them with a release store of the tail, and the consumer reads only
    // between the head and the tail it has acquired, and frees them with a release store of
    // the head. Each side's cached copy lives on its own line of `positions`.
    private let positions = QueuePositions()
    private let storage: UnsafeMutableRawPointer
    private let mask: Int
    /// Bytes the queue holds at most (a power of two).
    let capacity: Int

    /// A queue of `capacity` bytes (a power of two, at least 4096).
    init(capacity: Int) throws(SystemCallError) {
        precondition(capacity >= 4096 && capacity & (capacity - 1) == 0, "outbound capacity must be a power of two >= 4096")
        self.capacity = capacity
        mask = capacity - 1
        storage = try Sys.mmap(length: capacity, protection: PROT_READ | PROT_WRITE,
                               flags: MAP_PRIVATE | MAP_ANONYMOUS, descriptor: -1)
    }

    deinit {
        _ = try? Sys.munmap(storage, length: capacity)
        positions.deallocate()
    }

    /// The largest frame that fits at all (when the queue is empty).
    var maxFrameLength: Int { capacity - LengthPrefix.byteCount }

    /// Producer: queues `frame` behind its u24 length; false when there is no room now.
    /// `frame.count` must be at most ``maxFrameLength`` and ``LengthPrefix/maxLength``.
    func append(frame: UnsafeRawBufferPointer) -> Bool {
        let total = LengthPrefix.byteCount &+ frame.count
        let tail = positions.tail.pointee.load(ordering: .relaxed)
        guard positions.producerHasRoom(for: total, tail: tail, capacity: capacity) else { return false }
        let length = UInt32(truncatingIfNeeded: frame.count)
        var prefix = (UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length))
        withUnsafeBytes(of: &prefix) { copyIn($0, at: tail) }
        copyIn(frame, at: tail &+ LengthPrefix.byteCount)
        positions.tail.pointee.store(tail &+ total, ordering: .releasing)
        return true
    }

    /// Producer: whether `frameLength` bytes of frame could be appended now.
    func hasRoom(forFrameLength frameLength: Int) -> Bool {
        let tail = positions.tail.pointee.load(ordering: .relaxed)
        return positions.producerHasRoom(for: LengthPrefix.byteCount &+ frameLength, tail: tail, capacity: capacity)
    }

    /// Consumer: the queued bytes as one or two regions (the second empty unless the queue
    /// wraps); both empty when nothing is queued. Valid until ``consume(_:)``.
    func pending() -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
        let head = positions.head.pointee.load(ordering: .relaxed)
        let available = positions.consumerAvailable(head: head)
        let index = head & mask
        let first = min(available, capacity &- index)
        return (UnsafeRawBufferPointer(start: storage + index, count: first),
                UnsafeRawBufferPointer(start: storage, count: available &- first))
    }

    /// Consumer: frees `count` bytes written out.
    func consume(_ count: Int) {
        let head = positions.head.pointee.load(ordering: .relaxed)
        positions.head.pointee.store(head &+ count, ordering: .releasing)
    }

    /// Consumer: whether nothing is queued.
    var isEmpty: Bool {
        let head = positions.head.pointee.load(ordering: .relaxed)
        return positions.consumerAvailable(head: head) == 0
    }

    /// Empties the queue and returns its pages to the system. Only while neither side uses it.
    func releasePages() {
        let tail = positions.tail.pointee.load(ordering: .acquiring)
        positions.head.pointee.store(tail, ordering: .releasing)
        positions.consumerCachedTail = tail
        positions.producerCachedHead = tail
        _ = try? Sys.madvise(storage, length: capacity, advice: MADV_DONTNEED)
    }

    /// Copies `bytes` into the storage from position `position`, wrapping at the end.
    private func copyIn(_ bytes: UnsafeRawBufferPointer, at position: Int) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        let index = position & mask
        let first = min(bytes.count, capacity &- index)
        (storage + index).copyMemory(from: source, byteCount: first)
        if first < bytes.count {
            storage.copyMemory(from: source + first, byteCount: bytes.count &- first)
        }
    }
}
