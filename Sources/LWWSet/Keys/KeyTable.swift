import CRingside

/// The set's keys: the bytes of those longer than `KeyName.inlineCapacity` packed in one
/// buffer, and a `HashSlots` index from key bytes to key number. Keys are numbered 0, 1, ... in the order they first appear and are never
/// removed (a key appears with its first applied write, and every later write leaves at
/// least one entry under it). Where each key's bytes lie (its `KeyName`) is kept in its
/// `KeyState`, which a lookup reads next anyway: the table answers "which number has this
/// tag", and the caller confirms the bytes through the name.
struct KeyTable: Sendable {
    private var bytes: [UInt8] = []
    private var slots: [UInt64] = []

    /// The number of keys.
    private(set) var count = 0

    /// Heap bytes reserved by the table's buffers (see `LWWSet.Statistics.reservedBytes`).
    var reservedBytes: Int {
        LWWSet.footprint(capacity: bytes.capacity, stride: 1)
            + LWWSet.footprint(capacity: slots.capacity, stride: MemoryLayout<UInt64>.stride)
    }

    /// The number of the key whose hash is `hash` and for whose number `matches` is true,
    /// or nil when there is none.
    @inline(__always)
    func find(hash: UInt32, matches: (Int) -> Bool) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            HashSlots.find(UnsafeMutableBufferPointer(mutating: slots), hash: hash) { matches(Int($0)) }
        }.map(Int.init)
    }

    /// Adds `key`, which is not in the table, as number `count` (before the call), and
    /// returns its name. Throws, changing nothing, when the keys' bytes would pass the 4 GiB
    /// that 32-bit offsets address.
    mutating func append(_ key: UnsafeRawBufferPointer, hash: UInt32) throws(LWWSetError) -> KeyName {
        guard bytes.count + key.count <= Int(UInt32.max) else {
            throw .capacityExceeded(arenaBytes: bytes.count, adding: key.count)
        }
        let number = count
        if HashSlots.slotCount(forCapacity: number + 1) > slots.count {
            var grown = [UInt64](repeating: 0, count: HashSlots.slotCount(forCapacity: max(8, 2 * number)))
            slots.withUnsafeMutableBufferPointer { old in
                grown.withUnsafeMutableBufferPointer { HashSlots.rehash(old, into: $0) }
            }
            slots = grown
        }
        let name = KeyName(key, offset: key.count > KeyName.inlineCapacity ? UInt32(bytes.count) : 0)
        if !name.isInline {
            bytes.append(contentsOf: key)
        }
        slots.withUnsafeMutableBufferPointer { HashSlots.insert(UInt32(number), hash: hash, in: $0) }
        count += 1
        return name
    }

    /// Calls `body` with the `length` bytes at `offset` (a key that is not inline), valid
    /// only during the call.
    @inline(__always)
    func withBytes<Result, Failure: Error>(
        at offset: Int, length: Int, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Array's withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        try bytes.withUnsafeBytes { bytes in
            Swift.Result { () throws(Failure) in try body(UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + length])) }
        }.get()
    }

    // MARK: Stages of a batch (LWWSet+Batch.swift)

    /// Prefetches the slots where probing for `hash` starts.
    @inline(__always)
    func prefetchSlot(hash: UInt32) {
        slots.withUnsafeBufferPointer { slots in
            guard let base = slots.baseAddress else { return }
            HashSlots.prefetchProbe(base, count: slots.count, hash: hash)
        }
    }

    /// The number of the first key whose tag is `hash` (the key the bytes most likely
    /// name, unconfirmed), or nil when no key has that tag.
    @inline(__always)
    func candidate(hash: UInt32) -> Int? {
        find(hash: hash) { _ in true }
    }

    /// Prefetches the bytes `name` names, when they are not inline.
    @inline(__always)
    func prefetchBytes(of name: KeyName) {
        guard !name.isInline else { return }
        bytes.withUnsafeBufferPointer { bytes in
            ringside_prefetch(bytes.baseAddress! + Int(name.offset))
            ringside_prefetch(bytes.baseAddress! + Int(name.offset) + Int(name.length) - 1)
        }
    }
}
