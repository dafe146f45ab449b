/// A last-writer-wins element set with the semantics of SoundCloud's Roshi.
///
/// Every key holds two sorted sets of (member, score) entries: the add set (the visible
/// entries) and the remove set (tombstones). Keys and members are byte strings, scores are
/// `Double`s. A write is applied or ignored by three rules, in order (see `write(_:key:score:member:)`):
/// the size gate, the member check, then apply and trim back to `maxSize` entries. Selects
/// read the add set, highest score first, then member bytes highest first.
///
/// A value type with no locks and no I/O: one writer owns it. Each set stores its entries
/// in a few contiguous buffers, so the top of a set is a short walk down one array.
///
/// Memory is bounded by the keys: each of a key's two sets holds at most `maxSize` entries,
/// each costing its member's bytes plus a fixed overhead (`statistics` reports the buffers'
/// reserved bytes).
public struct LWWSet: Sendable {
    /// The longest key accepted, in bytes.
    public static let maximumKeyLength = 65_535
    /// The longest member accepted, in bytes.
    public static let maximumMemberLength = 65_535
    /// The per-set bound used when none is given (as in `ringside lww`).
    public static let defaultMaxSize = 10_000

    /// The most entries each add set and each remove set keeps.
    public private(set) var maxSize: Int

    var keys = KeyTable()
    /// The two sets of key number `n` are `states.unsafeState(n)`.
    var states = KeyStates(capacity: 0)
    let hasher: ByteHasher
    /// Entries in all add sets.
    var entries = 0
    /// Entries in all remove sets.
    var tombstones = 0

    /// An empty set keeping at most `maxSize` entries in each add set and each remove set.
    public init(maxSize: Int = LWWSet.defaultMaxSize) throws(LWWSetError) {
        guard maxSize >= 1 else { throw .invalidMaxSize(maxSize) }
        self.maxSize = maxSize
        self.hasher = .randomlySeeded()
    }

    /// Changes the bound on entries per set; sets holding more are trimmed at once (lowest
    /// score first, then smallest member bytes), as a write would trim them.
    public mutating func setMaxSize(_ maxSize: Int) throws(LWWSetError) {
        guard maxSize >= 1 else { throw .invalidMaxSize(maxSize) }
        self.maxSize = maxSize
        makeStatesUnique()
        for number in 0 ..< states.count {
            let state = states.unsafeState(number)
            entries -= state.pointee.add.count
            tombstones -= state.pointee.remove.count
            state.pointee.add.trim(to: maxSize)
            state.pointee.remove.trim(to: maxSize)
            entries += state.pointee.add.count
            tombstones += state.pointee.remove.count
        }
    }

    /// Copies every set before a write when this value shares its sets with another.
    @inline(__always)
    mutating func makeStatesUnique() {
        if !isKnownUniquelyReferenced(&states) {
            states = states.copy()
        }
    }

    /// The state of key `number`, which must exist. Valid until a key is added.
    @inline(__always)
    func unsafeState(_ number: Int) -> UnsafeMutablePointer<KeyState> {
        states.unsafeState(number)
    }

    /// The number of `key`, or nil when no write to it was ever applied.
    @inline(__always)
    func keyNumber(_ key: UnsafeRawBufferPointer) -> Int? {
        keyNumber(key, hash: hasher.hash(key))
    }

    /// The number of `key`, whose hash is `hash`, or nil when no write to it was ever applied.
    @inline(__always)
    func keyNumber(_ key: UnsafeRawBufferPointer, hash: UInt32) -> Int? {
        keys.find(hash: hash) { number in isKey(number, key) }
    }

    /// Whether key `number` is `key`.
    @inline(__always)
    func isKey(_ number: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        unsafeState(number).pointee.name.names(key, in: keys)
    }

    /// Calls `body` with the bytes of key `number`, valid only during the call.
    func withKey<Result, Failure: Error>(
        _ number: Int, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try unsafeState(number).pointee.name.withBytes(in: keys, body)
    }
}

/// One key's name and two sets, in two cache lines: `KeyStates` aligns every state to a
/// 128-byte pair of lines (which the CPU tends to fetch together), so a write or select
/// that confirms its key and reads both sets' fields waits for one miss. The name and the
/// fields of the add set that a select reads share the first line.
struct KeyState: ~Copyable, Sendable {
    /// The key's bytes (inline when short) and where they lie in the key table.
    let name: KeyName
    /// Visible entries.
    var add = ScoredSet()
    /// Tombstones.
    var remove = ScoredSet()

    /// The size and alignment of a state: two cache lines.
    static let lineBytes = 128
}
