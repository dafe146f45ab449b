/// What every poll of a ``SharedMemoryServerCarrier`` reads or changes, in one value that
/// the carrier keeps in memory of its own and reaches through its `pollState` addressors:
/// each access to a class's stored `var` pays a run-time exclusivity check, and an idle poll
/// made six of them (about 80 instructions each, half of an idle round of the server's loop).
struct CarrierPollState {
    /// Channels by slot (the low bits of their ids).
    var slots: [ServerChannel?]
    /// Slots in use, in polling order.
    var active: [Int] = []
    /// The channels of `active`, in the same order, unretained: `slots` keeps each alive
    /// until the carrier's `retire()` removes it from both (never during a poll), so every
    /// poll walks them without a retain and a release per channel.
    var activeChannels: [Unmanaged<ServerChannel>] = []
    /// Slots sent to since the last flush.
    var flushList: [Int] = []
    /// Slots whose rings were drained in this poll.
    var wakeList: [Int] = []
    /// Slots of connections that ended, to be removed and unlinked.
    var retireList: [Int] = []
    /// Events decided outside a poll (closes, shutdown), delivered first by the next poll.
    var pendingEvents: [CarrierEvent] = []
    /// Where the next poll starts among `active` (fairness).
    var cursor = 0
    /// When the next liveness pass is due (monotonic nanoseconds).
    var nextLiveness: Int64
    /// The time as last read (monotonic nanoseconds); see the carrier's `now`, which reads
    /// and writes it.
    var now: Int64
    /// Polls since the clock was last read.
    var pollsSinceClock = 0
    /// Whether the carrier has shut down (it accepts and reads nothing more).
    var isShutDown = false
    /// True during a poll: handlers may close connections or shut down, and the tables the
    /// poll walks change only after it (in the carrier's `retire()`).
    var polling = false
    /// The last poll delivered its whole limit: more work waits, the server is saturated.
    var saturated = false
    /// Clients whose wake-up the carrier's `flush()` put off (saturated, and woken less than
    /// its `wakeInterval` ago): they stay on `flushList`, and the next poll flushes again.
    var owedWakes = 0

    /// The state of a carrier of `maxClients` slots whose clock read `now`, with its tables'
    /// capacity reserved (steady polls never allocate) and the first liveness pass due
    /// `liveness` nanoseconds on.
    init(maxClients: Int, now: Int64, liveness: Int64) {
        slots = Array(repeating: nil, count: maxClients)
        active.reserveCapacity(maxClients)
        activeChannels.reserveCapacity(maxClients)
        flushList.reserveCapacity(maxClients)
        wakeList.reserveCapacity(maxClients)
        retireList.reserveCapacity(maxClients)
        pendingEvents.reserveCapacity(maxClients)
        self.now = now
        nextLiveness = now &+ liveness
    }
}
