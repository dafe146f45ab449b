import Synchronization

/// What a running server has done, readable from any thread (each counter has one writer,
/// the poll thread, which stores without read-modify-write instructions).
public final class ServerCounters: Sendable {
    private let opened = Atomic<Int>(0)
    private let closed = Atomic<Int>(0)
    private let received = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let sleeps = Atomic<Int>(0)

    init() {}

    /// Connections opened so far.
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }
    /// Connections closed so far.
    public var connectionsClosed: Int { closed.load(ordering: .relaxed) }
    /// Connections open now.
    public var connectionsOpen: Int { connectionsOpened - connectionsClosed }
    /// Frames received.
    public var framesReceived: Int { received.load(ordering: .relaxed) }
    /// Frames handed to carriers (fragments counted one by one).
    public var framesSent: Int { sent.load(ordering: .relaxed) }
    /// Connections the server closed with a connection ERROR (protocol violations, lifetimes).
    public var connectionErrors: Int { errors.load(ordering: .relaxed) }
    /// Times the poll loop slept on its doorbell.
    public var doorbellSleeps: Int { sleeps.load(ordering: .relaxed) }

    func countOpened() { Self.bump(opened) }
    func countClosed() { Self.bump(closed) }
    func countReceived() { Self.bump(received) }
    func countSent() { Self.bump(sent) }
    func countError() { Self.bump(errors) }
    func countSleep() { Self.bump(sleeps) }

    /// One writer: a plain load and store, visible to readers without a locked instruction.
    @inline(__always)
    private static func bump(_ counter: borrowing Atomic<Int>) {
        counter.store(counter.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}
