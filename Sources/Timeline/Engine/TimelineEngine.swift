import Frames
import LWWSet

/// The transport-neutral core of the timeline server's single writer: it owns the `LWWSet`,
/// queues the requests the server hands it, applies them in batches, answers through a
/// `TimelineEngineOutput`, and feeds tails. It does no I/O and takes no lock; one thread
/// (the server's writer) makes every call.
///
/// The server's loop: for each inbound request frame, `submit` its data (the bytes are
/// copied, so they need only live during the call); after each poll, `apply` everything
/// submitted; on REQUEST_N `demand`, on CANCEL `cancel`, when a connection goes `close`.
///
/// ```swift
/// let engine = try TimelineEngine(configuration: .init(maxSize: 10_000))
/// engine.submit(frame.unsafeData, encoding: .binary, interaction: .requestResponse,
///               connection: TimelineConnection(rawValue: 1), token: TimelineReplyToken(rawValue: 7))
/// engine.apply(into: &output)                  // answers through output.respond / fail
/// engine.demand(tailToken, 64, into: &output)  // a tail's REQUEST_N
/// ```
///
/// Order: requests of one connection take effect in the order submitted (a select after an
/// insert sees it; one before does not). Within an `apply` the writes of all connections run
/// as one batch of the set's batch API, then the selects, alternating as connections
/// alternate. Nothing on the steady-state path allocates for the binary encoding; JSON
/// requests and answers go through Foundation's coders.
public final class TimelineEngine {
    /// The engine's settings.
    public struct Configuration: Sendable {
        /// The most entries each of a key's sets keeps (`LWWSet.maxSize`).
        public var maxSize: Int
        /// The most events a tail buffers for its subscriber before it is cut off.
        public var tailBufferEvents: Int
        /// The largest response the engine builds (and JSON request it converts), in bytes;
        /// a larger one fails with 0x201.
        public var maxMessageBytes: Int

        /// Settings: `maxSize` per set (default 10,000), `tailBufferEvents` per tail (default
        /// 65,536) and `maxMessageBytes` (default 16 MiB, RSocket's largest frame).
        public init(maxSize: Int = LWWSet.defaultMaxSize, tailBufferEvents: Int = 65_536, maxMessageBytes: Int = 1 << 24) {
            self.maxSize = maxSize
            self.tailBufferEvents = tailBufferEvents
            self.maxMessageBytes = maxMessageBytes
        }
    }

    /// The settings the engine was made with.
    public let configuration: Configuration
    /// What the engine has done so far.
    public internal(set) var counters: TimelineCounters {
        unsafeAddress { UnsafePointer(unsafeCounters) }
        unsafeMutableAddress { unsafeCounters }
    }
    /// The set. Reading it copies the value (its buffers are shared until the next write
    /// copies them), as a snapshot does. Unchecked for exclusivity, as the state below.
    @exclusivity(unchecked) public internal(set) var set: LWWSet

    /// What was submitted since the last `apply`.
    var queue: RequestQueue {
        unsafeAddress { UnsafePointer(unsafeQueue) }
        unsafeMutableAddress { unsafeQueue }
    }
    /// The counters and the queue, which every request touches, in memory of their own that
    /// lives as long as the engine, reached through addressors: a class's stored `var` pays
    /// a run-time exclusivity check at every access (two per request, more per batch).
    /// Safe: one thread makes every call, and no engine call re-enters another.
    private let unsafeCounters: UnsafeMutablePointer<TimelineCounters>
    private let unsafeQueue: UnsafeMutablePointer<RequestQueue>
    /// The write batch `apply` builds (reused), in memory of its own for the same reason:
    /// reached through this pointer, its arrays are filled and read with no exclusivity
    /// check (where a stored property's were swapped out and back, six checks per apply),
    /// while the set's batch call runs over them. Safe: only `apply` touches it, once at a
    /// time, on the one thread that makes every call.
    let unsafeWriteBatch: UnsafeMutablePointer<WriteBatch>
    var pending: UnsafeGrowableBuffer<PendingRequest> {
        get { queue.pending }
        _modify { yield &queue.pending }
    }
    var arena: RequestArena {
        get { queue.arena }
        _modify { yield &queue.arena }
    }
    var failures: [Int: EngineFailure] {
        get { queue.failures }
        _modify { yield &queue.failures }
    }

    // Unchecked for exclusivity, this state and the set: each access to a class's stored
    // `var` pays a run-time check (some 80 instructions under callgrind; a lone write with a
    // tail made ten of them, three in every apply). Safe: one thread makes every call, no
    // engine call re-enters another, and no access spans a call that reaches the same
    // property again (the output and the write observer never call the engine).

    // Reused by `apply`: the requests in phase order (unused when every request is a write
    // of phase 0), the phases' starts, the select batch and its owners, the selection.
    @exclusivity(unchecked) var order: [Int] = []
    @exclusivity(unchecked) var phaseStarts: [Int] = []
    @exclusivity(unchecked) var selectBatch: [BorrowedSelect] = []
    @exclusivity(unchecked) var selectOwners: [Int] = []
    @exclusivity(unchecked) var selection = Selection(reservingEntries: 64, memberBytes: 4096)
    /// Where responses are built (and JSON requests converted): `maxMessageBytes`, allocated
    /// once.
    let scratch: UnsafeMutableRawBufferPointer
    let codec = TimelineJSONCodec()
    /// The JSON of an ok.
    let okJSON: [UInt8] = Array(#"{"ok":true}"#.utf8)

    // Tails: their slots (reused), the free slots, the slot of each token, and the slots
    // with events to send.
    @exclusivity(unchecked) var tails: [TailSubscription] = []
    @exclusivity(unchecked) var freeTails: [Int] = []
    @exclusivity(unchecked) var tailByToken: [TimelineReplyToken: Int] = [:]
    var listedTails: [Int] {
        get { unsafeListedTails.pointee }
        _modify { yield &unsafeListedTails.pointee }
    }
    /// The listed slots, in memory of their own for the reason of `unsafeQueue`: the server
    /// asks whether any is listed at every round of its loop, and `apply` at every batch.
    private let unsafeListedTails: UnsafeMutablePointer<[Int]>
    /// The slots by key (an applied write to a key of an empty cell skips the tails at once).
    @exclusivity(unchecked) var tailIndex = TailIndex()

    /// An engine with an empty set; throws for a `maxSize` below 1.
    public convenience init(configuration: Configuration = Configuration()) throws(LWWSetError) {
        try self.init(configuration: configuration, set: try LWWSet(maxSize: configuration.maxSize))
    }

    /// An engine that starts from `set` (a snapshot and log replayed at start), bound to the
    /// configuration's `maxSize` (a set holding more is trimmed); throws for a `maxSize`
    /// below 1.
    public init(configuration: Configuration = Configuration(), set: LWWSet) throws(LWWSetError) {
        var set = set
        if set.maxSize != configuration.maxSize { try set.setMaxSize(configuration.maxSize) }
        self.configuration = configuration
        self.set = set
        unsafeCounters = .allocate(capacity: 1)
        unsafeCounters.initialize(to: TimelineCounters())
        unsafeQueue = .allocate(capacity: 1)
        unsafeQueue.initialize(to: RequestQueue())
        unsafeWriteBatch = .allocate(capacity: 1)
        unsafeWriteBatch.initialize(to: WriteBatch())
        unsafeListedTails = .allocate(capacity: 1)
        unsafeListedTails.initialize(to: [])
        self.scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(configuration.maxMessageBytes, 64), alignment: 8)
    }

    deinit {
        scratch.deallocate()
        unsafeCounters.deinitialize(count: 1)
        unsafeCounters.deallocate()
        unsafeQueue.pointee.deallocate()
        unsafeQueue.deinitialize(count: 1)
        unsafeQueue.deallocate()
        unsafeWriteBatch.pointee.deallocate()
        unsafeWriteBatch.deinitialize(count: 1)
        unsafeWriteBatch.deallocate()
        unsafeListedTails.deinitialize(count: 1)
        unsafeListedTails.deallocate()
    }

    /// The number of requests submitted and not yet applied.
    public var pendingCount: Int { pending.count + queue.directWrites.count }

    /// The bytes of the requests submitted and not yet applied (their binary messages): how
    /// much the next `apply` reads back, and roughly what its batch touches besides the set.
    var pendingBytes: Int { arena.count }

    /// The number of tails subscribed.
    public var tailCount: Int { tailByToken.count }
}
