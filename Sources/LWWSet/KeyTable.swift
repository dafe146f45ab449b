import CRingside

/// The set's keys: their bytes packed in one buffer, a span per key, and a `HashSlots`
/// index from key bytes to key number. Keys are numbered 0, 1, ... in the order they first
/// appear and are never removed (a key appears with its first applied write, and every
/// later write leaves at least one entry under it).
struct KeyTable: Sendable {
    /// Where one key's bytes lie in `bytes`.
    private struct Span: Sendable {
        var offset: UInt32
        var length: UInt32
    }

    private var bytes: [UInt8] = []
    private var spans: [Span] = []
    private var slots: [UInt64] = []

    /// The number of keys.
    var count: Int { spans.count }

    /// Heap bytes reserved by the table's buffers (see `LWWSet.Statistics.reservedBytes`).
    var reservedBytes: Int {
        LWWSet.footprint(capacity: bytes.capacity, stride: 1)
            + LWWSet.footprint(capacity: spans.capacity, stride: MemoryLayout<Span>.stride)
            + LWWSet.footprint(capacity: slots.capacity, stride: MemoryLayout<UInt64>.stride)
    }

    /// The number of `key` (whose hash is `hash`), or nil when it is not in the table.
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer, hash: UInt32) -> Int? {
        bytes.withUnsafeBytes { bytes in
            spans.withUnsafeBufferPointer { spans in
                slots.withUnsafeBufferPointer { slots in
                    HashSlots.find(UnsafeMutableBufferPointer(mutating: slots), hash: hash) { number in
                        RawBytes.equal(Self.slice(bytes, spans[Int(number)]), key)
                    }
                }
            }
        }.map(Int.init)
    }

    /// Adds `key`, which is not in the table, and returns its number. Throws, changing
    /// nothing, when the keys' bytes would pass the 4 GiB that 32-bit offsets address.
    mutating func append(_ key: UnsafeRawBufferPointer, hash: UInt32) throws(LWWSetError) -> Int {
        guard bytes.count + key.count <= Int(UInt32.max) else {
            throw .capacityExceeded(arenaBytes: bytes.count, adding: key.count)
        }
        let number = spans.count
        if HashSlots.slotCount(forCapacity: number + 1) > slots.count {
            var grown = [UInt64](repeating: 0, count: HashSlots.slotCount(forCapacity: max(8, 2 * number)))
            slots.withUnsafeMutableBufferPointer { old in
                grown.withUnsafeMutableBufferPointer { HashSlots.rehash(old, into: $0) }
            }
            slots = grown
        }
        spans.append(Span(offset: UInt32(bytes.count), length: UInt32(key.count)))
        bytes.append(contentsOf: key)
        slots.withUnsafeMutableBufferPointer { HashSlots.insert(UInt32(number), hash: hash, in: $0) }
        return number
    }

    // MARK: Stages of a batch (LWWSet+Batch.swift)

    /// Prefetches the slot where probing for `hash` starts.
    @inline(__always)
    func prefetchSlot(hash: UInt32) {
        slots.withUnsafeBufferPointer { slots in
            guard let base = slots.baseAddress else { return }
            ringside_prefetch(base + HashSlots.home(hash, slots.count))
        }
    }

    /// The number of the first key whose tag is `hash` (the key the bytes most likely
    /// name, unconfirmed), or nil when no key has that tag; prefetches its span.
    @inline(__always)
    func candidate(hash: UInt32) -> Int? {
        let found = slots.withUnsafeBufferPointer { slots in
            HashSlots.find(UnsafeMutableBufferPointer(mutating: slots), hash: hash) { _ in true }
        }
        guard let found else { return nil }
        let number = Int(found)
        spans.withUnsafeBufferPointer { ringside_prefetch($0.baseAddress! + number) }
        return number
    }

    /// Prefetches the bytes of key `number`.
    @inline(__always)
    func prefetchBytes(of number: Int) {
        let span = spans[number]
        bytes.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, span.length > 0 else { return }
            ringside_prefetch(base + Int(span.offset))
            ringside_prefetch(base + Int(span.offset) + Int(span.length) - 1)
        }
    }

    /// Whether key `number` is `key`.
    @inline(__always)
    func matches(_ number: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let span = spans[number]
        return bytes.withUnsafeBytes { RawBytes.equal(Self.slice($0, span), key) }
    }

    /// Calls `body` with the bytes of key `number`, valid only during the call.
    func withKey<Result, Failure: Error>(
        _ number: Int, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let span = spans[number]
        // Array's withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        return try bytes.withUnsafeBytes { bytes in
            Swift.Result { () throws(Failure) in try body(Self.slice(bytes, span)) }
        }.get()
    }

    @inline(__always)
    private static func slice(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(span.offset) ..< Int(span.offset) + Int(span.length)])
    }
}
