import ShmRing
import Synchronization

/// An in-process carrier for tests and the lab: clients made with ``connect()`` talk to this
/// server carrier through bounded frame queues (``SendOutcome/wouldBlock`` when full), with
/// doorbells for sleeping sides, as the shared-memory carrier does across processes.
/// `maxFrameLength` is configurable, so fragmentation can be exercised with small frames.
public final class LoopbackServerCarrier: ServerCarrier, @unchecked Sendable {
    // @unchecked: `connect()` may be called from any thread and only touches the mutex-guarded
    // `pending` list and the atomic id counter; every other method runs on the server's poll
    // thread, as the ServerCarrier contract says.

    /// The largest frame either side takes.
    public let maxFrameLength: Int
    /// Bytes of each queue, each way, per connection.
    public let queueBytes: Int
    /// What clients ring.
    private let doorbell: Doorbell
    /// Connections made by `connect()` not yet reported as opened.
    private let pending = Mutex<[LoopbackChannel]>([])
    /// The next connection id.
    private let nextID = Atomic<UInt64>(1)
    /// Whether the carrier has shut down (clients can no longer connect).
    private let isShutDown = Atomic<Bool>(false)
    /// Connections reported as opened and not yet closed (poll thread only).
    private var active: [LoopbackChannel] = []
    /// Where a frame is copied out of its queue before the handler sees it (poll thread only).
    private let scratch: UnsafeMutableRawBufferPointer
    /// Whether clients were sent something since the last flush, by connection index.
    private var rung: [Bool] = []

    /// A carrier whose clients ring `doorbell`; frames at most `maxFrameLength` bytes, each
    /// queue `queueBytes` bytes.
    public init(doorbell: Doorbell, maxFrameLength: Int = 64 << 10, queueBytes: Int = 1 << 20) {
        self.doorbell = doorbell
        self.maxFrameLength = max(FrameFragmenter.minimumFrameLength, maxFrameLength)
        self.queueBytes = max(queueBytes, self.maxFrameLength + 8)
        scratch = .allocate(byteCount: self.maxFrameLength, alignment: 16)
        active.reserveCapacity(64)
    }

    deinit { scratch.deallocate() }

    /// Opens a connection (from any thread): the server sees `.opened` at its next poll.
    public func connect() throws(TransportError) -> LoopbackClientCarrier {
        guard !isShutDown.load(ordering: .acquiring) else { throw .serverNotFound("loopback carrier (shut down)") }
        let id = ConnectionID(rawValue: nextID.wrappingAdd(1, ordering: .relaxed).oldValue)
        let channel = LoopbackChannel(id: id, queueBytes: queueBytes, serverBell: doorbell)
        pending.withLock { $0.append(channel) }
        doorbell.ring()
        return LoopbackClientCarrier(channel: channel, maxFrameLength: maxFrameLength)
    }

    /// Reports new connections, then frames in order per connection, then closes.
    public func poll(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        var count = 0
        let fresh = pending.withLock { list -> [LoopbackChannel] in
            guard !list.isEmpty else { return [] }
            defer { list.removeAll() }
            return list
        }
        for channel in fresh {
            active.append(channel)
            rung.append(false)
            handler(.opened(channel.id, peer: "loopback \(channel.id)"))
            count += 1
        }
        var index = 0
        while index < active.count {
            let channel = active[index]
            var closedBy: CarrierCloseReason?
            while count < limit {
                let frame = channel.state.withLock { state -> UnsafeRawBufferPointer? in
                    if state.serverClosed { closedBy = .closedLocally; return nil }
                    if let frame = state.inbound.pop(into: scratch) { return frame }
                    if state.clientClosed { closedBy = .peerClosed }
                    return nil
                }
                guard let frame else { break }
                handler(.frame(channel.id, frame))
                count += 1
            }
            if let closedBy {
                active.remove(at: index)
                rung.remove(at: index)
                handler(.closed(channel.id, closedBy))
                count += 1
            } else {
                index += 1
            }
        }
        return count
    }

    /// Queues a frame for the client (`wouldBlock` when its queue is full).
    public func send(_ frame: UnsafeRawBufferPointer, to connection: ConnectionID) -> SendOutcome {
        guard frame.count <= maxFrameLength, let index = index(of: connection) else { return .closed }
        let bytes = BorrowedBytes(frame)
        let outcome: SendOutcome = active[index].state.withLock { state in
            if state.serverClosed || state.clientClosed { return .closed }
            return state.outbound.push(bytes.bytes) ? .sent : .wouldBlock
        }
        if outcome == .sent { rung[index] = true }
        return outcome
    }

    /// Where a connection is in `active` (a plain loop: no closure on the send path).
    private func index(of connection: ConnectionID) -> Int? {
        var index = 0
        while index < active.count {
            if active[index].id == connection { return index }
            index += 1
        }
        return nil
    }

    /// Rings the doorbells of clients sent something.
    public func flush() {
        for index in rung.indices where rung[index] {
            rung[index] = false
            active[index].clientBell.doorbell.ring()
        }
    }

    /// Closes a connection; `.closed(id, .closedLocally)` follows at the next poll.
    public func close(_ connection: ConnectionID) {
        guard let index = index(of: connection) else { return }
        let channel = active[index]
        channel.state.withLock { $0.serverClosed = true }
        channel.clientBell.doorbell.ring()
    }

    /// Closes every connection and refuses new ones.
    public func shutdown() {
        isShutDown.store(true, ordering: .releasing)
        let late = pending.withLock { list -> [LoopbackChannel] in
            defer { list.removeAll() }
            return list
        }
        for channel in active + late {
            channel.state.withLock { $0.serverClosed = true }
            channel.clientBell.doorbell.ring()
        }
        active.removeAll()
        rung.removeAll()
    }
}
