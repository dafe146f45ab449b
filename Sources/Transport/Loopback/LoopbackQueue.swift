/// A bounded queue of frames in one byte ring (`[length u32][frame]` records, 4-aligned, a
/// wrap marker where a record does not fit before the end). Not thread-safe: its channel
/// guards it with a mutex.
struct LoopbackQueue: ~Copyable {
    private let storage: UnsafeMutableRawPointer
    private let capacity: Int
    private var head = 0
    private var tail = 0
    private static let wrapMarker = UInt32.max

    /// A queue of `capacity` bytes (rounded up to a multiple of 4, at least 64).
    init(capacity: Int) {
        self.capacity = max(64, (capacity + 3) & ~3)
        storage = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Whether no frame waits.
    var isEmpty: Bool { head == tail }

    /// Appends a copy of `frame`; false when there is no room (nothing is written).
    mutating func push(_ frame: UnsafeRawBufferPointer) -> Bool {
        let need = (4 + frame.count + 3) & ~3
        let position = tail % capacity
        let contiguous = capacity - position
        let free = capacity - (tail - head)
        let pad = contiguous >= need ? 0 : contiguous
        guard need + pad <= free else { return false }
        var at = position
        if pad > 0 {
            if pad >= 4 { storage.storeBytes(of: Self.wrapMarker, toByteOffset: position, as: UInt32.self) }
            tail += pad
            at = 0
        }
        storage.storeBytes(of: UInt32(frame.count), toByteOffset: at, as: UInt32.self)
        if let source = frame.baseAddress, frame.count > 0 {
            (storage + at + 4).copyMemory(from: source, byteCount: frame.count)
        }
        tail += need
        return true
    }

    /// Copies the first frame into `buffer` and removes it; nil when empty. The buffer holds
    /// at least the largest frame pushed.
    mutating func pop(into buffer: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard head != tail else { return nil }
        var position = head % capacity
        if capacity - position < 4 || storage.load(fromByteOffset: position, as: UInt32.self) == Self.wrapMarker {
            head += capacity - position
            position = 0
        }
        let length = Int(storage.load(fromByteOffset: position, as: UInt32.self))
        buffer.baseAddress!.copyMemory(from: storage + position + 4, byteCount: length)
        head += (4 + length + 3) & ~3
        return UnsafeRawBufferPointer(rebasing: buffer[..<length])
    }
}
