import CRingside

/// The two sets of every key of one `LWWSet` value, numbered as its `KeyTable` numbers the
/// keys, in one array: key n's state lies at a fixed offset, so finding it is one load.
///
/// The sets own their buffers, so copying on write happens here, once for the whole
/// `LWWSet`: a writer checks this object's reference count (on the line that holds the
/// states' address, which it reads anyway) and, when the value is shared, copies every
/// set before writing (`LWWSet.makeStatesUnique`).
// Sendable: an LWWSet changes its states only while it holds the sole reference to them.
final class KeyStates: @unchecked Sendable {
    // Unchecked exclusivity: every access is a plain load or store, never held across a call.
    @exclusivity(unchecked) private var states: UnsafeMutablePointer<KeyState>
    /// The number of states.
    @exclusivity(unchecked) private(set) var count = 0
    /// The room for states before `append` moves them to a larger array.
    private(set) var capacity: Int

    /// An empty array with room for `capacity` states.
    init(capacity: Int) {
        self.capacity = capacity
        states = Self.allocate(capacity: capacity)
    }

    deinit {
        states.deinitialize(count: count)
        states.deallocate()
    }

    /// Uninitialised room for `capacity` states, each on a pair of cache lines of its own.
    private static func allocate(capacity: Int) -> UnsafeMutablePointer<KeyState> {
        UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<KeyState>.stride, alignment: KeyState.lineBytes)
            .bindMemory(to: KeyState.self, capacity: capacity)
    }

    /// The state of key `number` (below `count`). The pointer is valid while this object
    /// is alive and `append` does not move the states.
    @inline(__always)
    func unsafeState(_ number: Int) -> UnsafeMutablePointer<KeyState> {
        states + number
    }

    /// Prefetches the first `lines` cache lines (1 or 2) of the state of key `number`.
    @inline(__always)
    func prefetch(_ number: Int, lines: Int) {
        let state = UnsafeRawPointer(states + number)
        ringside_prefetch(state)
        if lines > 1 { ringside_prefetch(state + KeyState.lineBytes / 2) }
    }

    /// Adds an empty state for the key `name` names, moving the states to an array of twice
    /// the room when full.
    func append(_ name: KeyName) {
        if count == capacity {
            capacity = max(8, 2 * capacity)
            let grown = Self.allocate(capacity: capacity)
            grown.moveInitialize(from: states, count: count)
            states.deallocate()
            states = grown
        }
        (states + count).initialize(to: KeyState(name: name))
        count += 1
    }

    /// An array of the same capacity holding copies of every state (their sets' buffers copied).
    func copy() -> KeyStates {
        let copy = KeyStates(capacity: capacity)
        for number in 0 ..< count {
            let state = states + number
            (copy.states + number).initialize(to: KeyState(
                name: state.pointee.name, add: state.pointee.add.copy(), remove: state.pointee.remove.copy()))
        }
        copy.count = count
        return copy
    }
}
