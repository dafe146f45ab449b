/// The events queued for one tail, oldest first: each a length and its encoded bytes, back to
/// back in one byte buffer that is compacted and reused, so a tail that keeps up allocates
/// nothing once its buffer has grown to its usual backlog.
struct TailQueue {
    /// The events' bytes in `head ..< tail`, each a native `UInt32` length (unaligned) then the bytes.
    private var storage: [UInt8] = []
    private var head = 0
    private var tail = 0
    /// The number of events queued.
    private(set) var count = 0

    private static var lengthSize: Int { MemoryLayout<UInt32>.size }

    /// Queues an event of `byteCount` bytes, which `encode` writes into the buffer it is
    /// given (exactly that size).
    mutating func push(byteCount: Int, _ encode: (UnsafeMutableRawBufferPointer) -> Void) {
        let needed = Self.lengthSize + byteCount
        if storage.count - tail < needed { makeRoom(needed) }
        storage.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: UInt32(byteCount), toByteOffset: tail, as: UInt32.self)
            encode(UnsafeMutableRawBufferPointer(rebasing: bytes[tail + Self.lengthSize ..< tail + needed]))
        }
        tail += needed
        count += 1
    }

    /// Calls `body` with the oldest event's bytes, or returns nil when none is queued.
    func withOldest<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard count > 0 else { return nil }
        return storage.withUnsafeBytes { bytes in
            let length = Int(bytes.loadUnaligned(fromByteOffset: head, as: UInt32.self))
            return body(UnsafeRawBufferPointer(rebasing: bytes[head + Self.lengthSize ..< head + Self.lengthSize + length]))
        }
    }

    /// Drops the oldest event (one must be queued).
    mutating func removeOldest() {
        let length = storage.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: head, as: UInt32.self)) }
        head += Self.lengthSize + length
        count -= 1
        if count == 0 {
            head = 0
            tail = 0
        }
    }

    /// Moves the queued bytes to the front, then grows the buffer if `needed` bytes still do
    /// not fit after them.
    private mutating func makeRoom(_ needed: Int) {
        if head > 0 {
            let used = tail - head
            storage.withUnsafeMutableBytes { bytes in
                // copyMemory is a memmove: the regions may overlap.
                bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + head, byteCount: used)
            }
            head = 0
            tail = used
        }
        if storage.count - tail < needed {
            storage.append(contentsOf: repeatElement(0, count: Swift.max(needed, storage.count, 256) - (storage.count - tail)))
        }
    }
}
