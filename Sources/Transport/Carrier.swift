import Posix
import ShmRing

// The contract between the session layer and the carriers (shared memory, TCP): carriers move
// whole RSocket frames (no TCP length prefix: a TCP carrier adds and strips it) and know
// nothing of their meaning; sessions (`Session/`) read and write the frames. One file per
// carrier implements these protocols (`SharedMemory/`, `TCP/`).

/// One connection of a server carrier: unique within that carrier for its lifetime.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// The carrier's number for the connection.
    public let rawValue: UInt64

    /// Wraps a carrier's number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `#12`.
    public var description: String { "#\(rawValue)" }
}

/// What became of a frame handed to a carrier.
public enum SendOutcome: Sendable, Equatable {
    /// Queued whole; it will be delivered in order after every frame sent before it.
    case sent
    /// The connection's outbound path is full: nothing was queued; keep the frame and retry
    /// after polling (back-pressure, never a silent drop).
    case wouldBlock
    /// The connection is closed: nothing was queued.
    case closed
}

/// Why a carrier ended a connection.
public enum CarrierCloseReason: Sendable, Equatable, CustomStringConvertible {
    /// The peer closed it cleanly.
    case peerClosed
    /// The peer died (shared memory: its process is gone or its heartbeat stopped).
    case peerDied(String)
    /// A system call failed on it.
    case ioError(SystemCallError)
    /// The session asked for it (``ServerCarrier/close(_:)``).
    case closedLocally
    /// The carrier shut down.
    case shutdown

    /// A short account for logs and errors.
    public var description: String {
        switch self {
        case .peerClosed: "closed by the peer"
        case .peerDied(let why): "peer died: \(why)"
        case .ioError(let error): "I/O error: \(error)"
        case .closedLocally: "closed by this side"
        case .shutdown: "carrier shut down"
        }
    }
}

/// What a server carrier reports when polled.
public enum CarrierEvent {
    /// A new connection (TCP: accepted; shared memory: a client attached its channel).
    /// `peer` describes it for logs and `ringside stat` (`127.0.0.1:5555`, `pid 1234`).
    case opened(ConnectionID, peer: String)
    /// One whole inbound frame, bytes valid only during the handler call.
    case frame(ConnectionID, UnsafeRawBufferPointer)
    /// The connection's bytes cannot be framed (TCP: a length beyond the limit or below a
    /// header; shared memory: a corrupt ring). The carrier stops reading from it; the session
    /// sends a connection ERROR if it can and then calls ``ServerCarrier/close(_:)``.
    case malformed(ConnectionID, reason: String)
    /// The connection is gone; nothing more will be sent or received on it.
    case closed(ConnectionID, CarrierCloseReason)
}

/// The server side of a carrier: many connections, polled by one thread (the server's single
/// writer), which is the only caller of every method.
///
/// Carriers ring the ``Doorbell`` they were built with whenever they have something for
/// `poll` (shared-memory clients ring it from their processes; the TCP carrier from its I/O
/// thread), so the server can sleep on that one doorbell between polls.
public protocol ServerCarrier: AnyObject {
    /// The largest frame ``send(_:to:)`` takes in one piece (shared memory: the ring's
    /// largest record; TCP: the u24 prefix's limit). Sessions fragment beyond it.
    var maxFrameLength: Int { get }

    /// Delivers up to `limit` events to `handler` in order, and returns how many (0: nothing
    /// to do). Also does the carrier's periodic work (shared memory: liveness checks,
    /// reclaiming dead clients), so the server polls at least every 100 ms even when idle.
    func poll(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int

    /// Queues one whole frame for a connection (see ``SendOutcome``).
    func send(_ frame: UnsafeRawBufferPointer, to connection: ConnectionID) -> SendOutcome

    /// Makes what was sent since the last flush visible to the peers (TCP: one wake-up of the
    /// I/O thread per batch; shared memory: rings the clients' doorbells if they sleep).
    func flush()

    /// Closes a connection once what was already sent has gone out (best effort); a
    /// `.closed(id, .closedLocally)` event follows.
    func close(_ connection: ConnectionID)

    /// Stops accepting, closes every connection and releases everything (unlinks segments,
    /// closes sockets, joins threads). Idempotent.
    func shutdown()
}

/// The client side of a carrier: one connection, driven by whichever thread holds it (the
/// connection API serialises callers).
public protocol ClientCarrier: AnyObject {
    /// The largest frame ``send(_:)`` takes in one piece.
    var maxFrameLength: Int { get }

    /// Queues one whole frame (see ``SendOutcome``); throws once the connection is gone.
    func send(_ frame: UnsafeRawBufferPointer) throws(TransportError) -> SendOutcome

    /// Delivers up to `limit` received frames to `handler` (bytes valid only during the
    /// call) and returns how many; throws once the connection is gone and nothing is left.
    func receive(limit: Int, _ handler: (UnsafeRawBufferPointer) -> Void) throws(TransportError) -> Int

    /// Sleeps until frames may have arrived or room to send may have appeared, at most
    /// `timeout`. Spurious returns are allowed: callers poll again.
    func waitForWork(timeout: Duration) throws(TransportError)

    /// For a reader that found nothing for a while and holds the lock that serialises this
    /// carrier's callers: announces its sleep and returns it, to be slept with
    /// ``CarrierSleep/sleep()`` once the lock is released (other callers go on meanwhile);
    /// nil when frames, or the connection's end, may be there now (read again). A reader's
    /// sleep waits for frames only: room to send is the business of a sender, which waits in
    /// ``waitForWork(timeout:)``. The default waits in ``waitForWork(timeout:)`` itself, at
    /// most 2 ms, holding the caller's lock, and returns nil: a carrier that can sleep without
    /// its caller's lock (shared memory, on its doorbell) implements it.
    func prepareSleep(timeout: Duration) throws(TransportError) -> CarrierSleep?

    /// The doorbell ``prepareSleep(timeout:)``'s sleeps wait on (ring it to cut one short),
    /// or nil when its sleeps are not on a doorbell.
    var sleepDoorbell: Doorbell? { get }

    /// Whether a ``receive(limit:_:)`` that finds nothing only reads memory (shared memory:
    /// a ring's positions), so that a reader may poll it in a tight loop for a few
    /// microseconds; false (the default) when it costs a system call (TCP: a `recv`), where
    /// a reader yields the processor at every empty poll instead.
    var receivesFromMemory: Bool { get }

    /// Closes the connection (idempotent); later calls throw ``TransportError/closed``.
    func close()
}

extension ClientCarrier {
    /// Waits in ``waitForWork(timeout:)``, at most 2 ms, and returns nil (read again).
    public func prepareSleep(timeout: Duration) throws(TransportError) -> CarrierSleep? {
        try waitForWork(timeout: min(timeout, .milliseconds(2)))
        return nil
    }

    /// None: the default ``prepareSleep(timeout:)`` sleeps in `waitForWork`.
    public var sleepDoorbell: Doorbell? { nil }

    /// False: an empty receive may cost a system call.
    public var receivesFromMemory: Bool { false }
}

/// A sleep announced on a carrier's doorbell by ``ClientCarrier/prepareSleep(timeout:)``, to
/// be slept without the caller's lock. A plain value of the doorbell (a pointer into the
/// carrier's mapping), the ticket and the timeout: no reference is held, so whoever sleeps
/// keeps the carrier alive meanwhile (a ``Connection`` holds its carrier as long as any of
/// its readers).
public struct CarrierSleep: Sendable {
    /// The doorbell the sleep waits on.
    public let doorbell: Doorbell
    /// The ticket ``Doorbell/prepareToSleep()`` returned.
    public let ticket: UInt32
    /// The longest the sleep lasts.
    public let timeout: Duration

    /// A sleep on `doorbell` announced with `ticket`, at most `timeout`.
    public init(doorbell: Doorbell, ticket: UInt32, timeout: Duration) {
        self.doorbell = doorbell
        self.ticket = ticket
        self.timeout = timeout
    }

    /// Sleeps until the doorbell rings, at most the announced timeout.
    public func sleep() {
        doorbell.sleep(ticket, timeout: timeout)
    }
}

/// A failure of a connection or a carrier, typed for callers.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No server answers under that name or address (`ringside serve` is not running).
    case serverNotFound(String)
    /// The server is gone (its process died or it closed the connection).
    case serverGone(String)
    /// The server refused the connection or the SETUP (the reason it gave).
    case refused(String)
    /// This side closed the connection.
    case closed
    /// The peer broke the protocol (the reason, naming the field).
    case protocolViolation(String)
    /// The peer answered a request with an ERROR frame (code and reason).
    case rejected(code: UInt32, reason: String)
    /// The operation did not complete in time.
    case timedOut(String)
    /// The operation would block (non-blocking forms only).
    case wouldBlock
    /// A system call failed.
    case system(SystemCallError)
    /// The arguments are invalid (a name, an address, a size).
    case invalidArgument(String)

    /// A readable account.
    public var description: String {
        switch self {
        case .serverNotFound(let what): "no server at \(what)"
        case .serverGone(let why): "server gone: \(why)"
        case .refused(let why): "refused: \(why)"
        case .closed: "connection closed"
        case .protocolViolation(let why): "protocol violation: \(why)"
        case .rejected(let code, let reason): "rejected (0x\(String(code, radix: 16))): \(reason)"
        case .timedOut(let what): "timed out: \(what)"
        case .wouldBlock: "would block"
        case .system(let error): "\(error)"
        case .invalidArgument(let why): "invalid argument: \(why)"
        }
    }
}
