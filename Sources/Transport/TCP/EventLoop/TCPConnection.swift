import Frames
import Posix
import Synchronization

/// One slot of the TCP server carrier: the state of the connection that holds it now. Slots
/// live as long as the carrier and are reused, one connection at a time.
///
/// Two threads share it. The I/O thread owns the socket and every `var` here; the writer
/// (the server's single writer) touches only the outbound queue's producer side and the
/// atomics, and only between consuming the connection's `.opened` record and its `.closed`
/// record from the inbound ring, whose release/acquire ordering publishes the slot's reset.
/// A slot is reset for a new connection only after the writer has given it back.
final class TCPConnection: @unchecked Sendable {
    // @unchecked: see above; the `var`s are I/O-thread-only, the rest is atomics and a
    // single-producer single-consumer queue.

    /// The slot number.
    let slot: UInt32
    /// Frames the writer sent, waiting for the socket.
    let outbound: OutboundQueue

    // Shared with the writer.

    /// Set by the writer when it has queued this slot in the carrier's request queue; the I/O
    /// thread clears it before looking at the request, so a later request is queued again.
    let requested = Atomic<Bool>(false)
    /// Set by the writer's ``TCPServerCarrier/close(_:)``.
    let closeRequested = Atomic<Bool>(false)
    /// Set by the writer when a send found the outbound queue full: the I/O thread rings the
    /// server's doorbell once it has made room.
    let sendBlocked = Atomic<Bool>(false)
    /// Set by the I/O thread once the socket is closed: sends answer `.closed`.
    let socketClosed = Atomic<Bool>(false)

    // I/O thread only.

    /// The lifecycle on the I/O thread.
    enum Phase {
        /// No connection holds the slot.
        case free
        /// Reading and writing.
        case open
        /// The stream could not be framed: reading stopped, writing goes on until closed.
        case malformed
        /// Closing on request: writing out what is queued, then `shutdown(SHUT_WR)`.
        case flushing
        /// Written out and shut down for writing: discarding input until the peer's end of
        /// stream (so the peer reads everything before any reset).
        case draining
        /// The socket is closed; the `.closed` record may still wait for room in the ring.
        case closed
    }

    var phase = Phase.free
    var descriptor: Int32 = -1
    var id = ConnectionID(rawValue: 0)
    var peer = ""
    var assembler: FrameAssembler
    /// Bytes may be waiting in the socket (edge-triggered epoll: set by an event, cleared by a
    /// short read or `EAGAIN`).
    var readable = false
    /// The peer has shut its side (`EPOLLRDHUP`, `EPOLLHUP`, `EPOLLERR`): a short read no
    /// longer means the socket is drained, reads go on until end of stream or `EAGAIN`.
    var peerHungUp = false
    /// The socket may take bytes (set by an event, cleared by a short write or `EAGAIN`).
    var writable = false
    /// A write left bytes queued because the socket was full: reading pauses until the
    /// queue is written out (back-pressure reaches the peer through TCP).
    var outputBackedUp = false
    /// The `.opened` record is in the ring.
    var openedPosted = false
    /// A `.malformed` record waits for room in the ring.
    var pendingMalformed: String?
    /// Why the connection ends, once known; posted as `.closed` after every frame before it.
    var ending: CarrierCloseReason?
    /// When a close on request gives up flushing or draining.
    var closeDeadline: ContinuousClock.Instant?
    /// Whether the slot is on the I/O thread's list of connections with input work left.
    var onInputList = false
    /// Where its records lie in the inbound ring, to keep it within its share.
    var share = InboundShare()
    /// Whether it is over its share of the inbound ring, waiting for the writer to consume
    /// (on the I/O thread's list of such connections).
    var waitingForShare = false
    /// While waiting: the writer's consumer position at which it may be read again.
    var shareResumePosition: Int64 = 0

    init(slot: UInt32, outboundCapacity: Int, pool: BufferPool, limit: Int, budget: LargeFrameBudget) throws(SystemCallError) {
        self.slot = slot
        outbound = try OutboundQueue(capacity: outboundCapacity)
        assembler = FrameAssembler(pool: pool, limit: limit, budget: budget)
    }

    /// Takes the slot for a newly accepted socket.
    func open(descriptor: Int32, id: ConnectionID, peer: String) {
        phase = .open
        self.descriptor = descriptor
        self.id = id
        self.peer = peer
        readable = false
        peerHungUp = false
        writable = true
        outputBackedUp = false
        openedPosted = false
        pendingMalformed = nil
        ending = nil
        closeDeadline = nil
        onInputList = false
        share.reset()
        waitingForShare = false
        requested.store(false, ordering: .relaxed)
        closeRequested.store(false, ordering: .relaxed)
        sendBlocked.store(false, ordering: .relaxed)
        socketClosed.store(false, ordering: .relaxed)
    }

    /// Empties the slot once the writer has given it back.
    func recycle() {
        phase = .free
        assembler.releaseBuffer()
        outbound.releasePages()
    }
}
