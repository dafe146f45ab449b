/// The ways the counting-contention demo counts to its target: from one thread counting in a
/// register to many threads fighting over one shared word, and the single-writer cure.
public enum CountingMode: String, CaseIterable, Sendable, Codable {
    /// One thread, a local counter kept in a register and made opaque after every increment
    /// (`ringside_register_barrier_u64`), so each increment is really executed.
    case plain
    /// The same loop without the barrier, left to the optimiser: it computes the result in
    /// closed form and returns in nanoseconds (the talk's "less than a microsecond").
    case folded
    /// One thread, `Atomic.wrappingAdd` on a shared word (the `contended` kernel on one thread).
    case atomic
    /// N threads, each `wrappingAdd` on the same shared atomic.
    case contended
    /// N threads, each in a load / compare-exchange loop on the same shared atomic.
    case cas
    /// N threads, each taking one `Mutex` around the increment.
    case lock
    /// N threads compete once, through a `SerialDrain`, for the right to count; the winner
    /// counts a batch in a register and publishes it with one store, the others wait politely.
    case singleWriter = "single-writer"

    /// Whether the mode runs on a chosen number of threads (the others run on exactly one).
    public var isMultiThreaded: Bool {
        switch self {
        case .plain, .folded, .atomic: false
        case .contended, .cas, .lock, .singleWriter: true
        }
    }
}
