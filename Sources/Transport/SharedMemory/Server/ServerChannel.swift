import ShmRing

/// The server's side of one client's channel: its rings, its block, the client's identity,
/// and what the poll loop has learnt about it. Owned and touched only by the server's thread.
final class ServerChannel {
    /// The connection's id (serial and slot).
    let id: ConnectionID
    /// Its slot in the carrier's table.
    let slot: Int
    /// The client process, as checked at connect.
    let client: ProcessIdentity
    /// The channel segment's name (unlinked when the connection ends).
    let segmentName: String
    /// The channel block.
    let block: ChannelBlock
    /// Client → server records (this side consumes).
    let inbound: OneToOneRing
    /// Server → client records (this side is the only writer).
    let outbound: OneToOneRing
    /// The client's doorbell.
    let doorbell: Doorbell

    /// The client process is gone: deliver what it committed, then close.
    var clientDead = false
    /// The inbound ring could not be framed: reported once, never read again.
    var stopReading = false
    /// The outbound ring was found corrupt: nothing more is sent on it.
    var outboundBroken = false
    /// The connection has ended (its closed event is out or queued); it leaves at the next
    /// retirement.
    var retiring = false
    /// Frames were sent since the last flush (the slot is on the flush list).
    var sentSinceFlush = false
    /// Records were consumed in this poll (the slot is on the wake list).
    var readThisPoll = false
    /// When ``SharedMemoryServerCarrier/flush()`` last rang the doorbell (monotonic
    /// nanoseconds).
    var lastWoken: Int64 = 0

    /// Whether a read of the channel would find nothing to do: no record at the inbound
    /// ring's head, the channel still accepted and its client not known dead (either of
    /// those makes an empty ring the end of the connection). An idle poll tests it inline
    /// instead of setting up a read.
    @inline(__always)
    var hasNothingToRead: Bool {
        inbound.isEmptyAtHead && !clientDead && block.state == .accepted
    }

    init(id: ConnectionID, slot: Int, client: ProcessIdentity, segmentName: String,
         block: ChannelBlock, inbound: OneToOneRing, outbound: OneToOneRing) {
        self.id = id
        self.slot = slot
        self.client = client
        self.segmentName = segmentName
        self.block = block
        self.inbound = inbound
        self.outbound = outbound
        self.doorbell = block.doorbell
    }

    /// Tells the client this side is done: the state moved to closed by the server with
    /// `reason`, then a close record after the frames already sent (when the ring has room),
    /// its doorbell rung. The state first: a client that reads the close record then finds
    /// the reason (the other way round, one that read the record in between found the state
    /// still accepted and reported no reason); one that finds the state first still drains
    /// the frames sent before it.
    func announceClose(_ reason: String) {
        block.setReason(reason)
        _ = block.transition(from: .accepted, to: .closedByServer)
        let bytes = ChannelRecord.reasonBytes(reason)
        _ = try? bytes.withUnsafeBytes { raw throws(RingError) in try outbound.write(type: ChannelRecord.close, bytes: raw) }
        doorbell.ring()
    }
}
