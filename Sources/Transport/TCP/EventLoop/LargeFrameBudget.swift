import Synchronization

/// The bytes a TCP server carrier may hold at once in frames longer than a read buffer, both
/// partly received and queued for the writer: each such frame gets an allocation of its own,
/// and without a shared bound many peers announcing long frames could make the server
/// reserve far more memory than it has. Reserved on the I/O thread, released on either.
final class LargeFrameBudget: Sendable {
    /// The bound in bytes.
    let limit: Int
    private let held = Atomic<Int>(0)
    /// The smallest reservation refused since ``forgetRefusals()`` (`Int.max`: none).
    private let smallestRefused = Atomic<Int>(.max)

    /// A budget of `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Bytes reserved now.
    var reserved: Int { held.load(ordering: .acquiring) }

    /// Reserves `count` bytes if they fit (or if nothing is reserved, so that one frame of
    /// any accepted length always can be received); false when not.
    func reserve(_ count: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while current == 0 || current + count <= limit {
            let (exchanged, found) = held.compareExchange(
                expected: current, desired: current + count, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = found
        }
        if count < smallestRefused.load(ordering: .relaxed) { smallestRefused.store(count, ordering: .relaxed) }
        return false
    }

    /// Gives back `count` bytes reserved earlier.
    func release(_ count: Int) {
        held.subtract(count, ordering: .releasing)
    }

    /// Whether the smallest reservation refused since ``forgetRefusals()`` would fit now.
    var hasRoomAgain: Bool {
        let reserved = self.reserved
        return reserved == 0 || reserved + smallestRefused.load(ordering: .relaxed) <= limit
    }

    /// Starts a new round of refusals (when the waiting connections are serviced again).
    func forgetRefusals() {
        smallestRefused.store(.max, ordering: .relaxed)
    }
}
