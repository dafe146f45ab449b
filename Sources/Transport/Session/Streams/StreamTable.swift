/// A session's live streams by id: open addressing with linear probing and Fibonacci hashing
/// of the 31-bit id (a multiply and a shift: the standard dictionary's SipHash costs more
/// than the rest of a fire-and-forget), backward-shift deletion, doubling at three quarters
/// full. Stream id 0 never names a stream, so it marks an empty slot.
struct StreamTable {
    /// Ids by slot (0: empty).
    private var keys: [UInt32]
    /// Streams by slot (nil exactly where the key is 0).
    private var slots: [StreamState?]
    /// log2 of the slot count.
    private var bits: Int
    /// Streams held.
    private(set) var count = 0

    /// An empty table of 16 slots.
    init() {
        bits = 4
        keys = [UInt32](repeating: 0, count: 16)
        slots = [StreamState?](repeating: nil, count: 16)
    }

    /// Whether no stream is held.
    var isEmpty: Bool { count == 0 }

    /// The slot where `id` hashes.
    @inline(__always)
    private func home(_ id: UInt32) -> Int { Int((id &* 0x9E37_79B1) >> UInt32(32 - bits)) }

    /// The slot holding `id`, or nil (valid until the table next changes shape).
    @inline(__always)
    func find(_ id: UInt32) -> Int? {
        guard count > 0 else { return nil }
        let mask = keys.count - 1
        var slot = home(id)
        while true {
            let key = keys[slot]
            if key == id { return slot }
            if key == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The stream `id`; setting nil removes it.
    subscript(id: UInt32) -> StreamState? {
        get { find(id).map { slots[$0]! } }
        set {
            if let newValue {
                if let slot = find(id) {
                    slots[slot] = newValue
                } else {
                    insert(id, newValue)
                }
            } else if let slot = find(id) {
                remove(at: slot)
            }
        }
    }

    /// Whether stream `id` is held.
    @inline(__always)
    func contains(_ id: UInt32) -> Bool { find(id) != nil }

    /// The stream in a slot ``find(_:)`` returned.
    subscript(slot slot: Int) -> StreamState {
        get { slots[slot]! }
        set { slots[slot] = newValue }
    }

    /// Calls `body` with the stream in a slot ``find(_:)`` returned, to change it in place
    /// (a get and a set of ``subscript(slot:)`` copy it out and back).
    @inline(__always)
    mutating func update<Result>(slot: Int, _ body: (inout StreamState) -> Result) -> Result {
        body(&slots[slot]!)
    }

    /// Adds stream `id`, which the caller has checked is absent.
    mutating func insertNew(_ id: UInt32, _ value: StreamState) { insert(id, value) }

    /// Removes the stream in a slot ``find(_:)`` returned.
    mutating func remove(slot: Int) { remove(at: slot) }

    /// Removes and returns stream `id`.
    mutating func removeValue(forKey id: UInt32) -> StreamState? {
        guard let slot = find(id) else { return nil }
        let value = slots[slot]
        remove(at: slot)
        return value
    }

    /// Every stream held, in no order.
    var values: [StreamState] { slots.compactMap { $0 } }

    /// Forgets every stream (keeping the slots).
    mutating func removeAll() {
        guard count > 0 else { return }
        for slot in keys.indices where keys[slot] != 0 {
            keys[slot] = 0
            slots[slot] = nil
        }
        count = 0
    }

    private mutating func insert(_ id: UInt32, _ value: StreamState) {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let mask = keys.count - 1
        var slot = home(id)
        while keys[slot] != 0 { slot = (slot + 1) & mask }
        keys[slot] = id
        slots[slot] = value
        count += 1
    }

    /// Empties `slot`, shifting back the entries after it whose probe passed through it.
    private mutating func remove(at slot: Int) {
        let mask = keys.count - 1
        var hole = slot
        var next = (slot + 1) & mask
        while keys[next] != 0 {
            let wanted = home(keys[next])
            // Move the entry into the hole unless its home lies cyclically in (hole, next].
            let distanceToHole = (hole - wanted) & mask
            let distanceToNext = (next - wanted) & mask
            if distanceToHole < distanceToNext {
                keys[hole] = keys[next]
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = 0
        slots[hole] = nil
        count -= 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldSlots = slots
        bits += 1
        keys = [UInt32](repeating: 0, count: 1 << bits)
        slots = [StreamState?](repeating: nil, count: 1 << bits)
        count = 0
        for slot in oldKeys.indices where oldKeys[slot] != 0 {
            insert(oldKeys[slot], oldSlots[slot]!)
        }
    }
}
