import DrainLoop
import ShmRing

/// An RSocket server: one session per connection over any number of carriers (shared
/// memory, TCP, loopback), run by one poll thread, the single writer, which calls the
/// ``Responder``.
///
/// The thread polls every carrier, feeds the sessions, lets the responder finish each batch
/// (``Responder/endOfBatch()``), sends what waited for carrier room, flushes, and checks the
/// sessions' timers. When idle it spins, yields, then announces sleep on the doorbell the
/// carriers ring, polls once more, and sleeps until rung or the next deadline (at most 100 ms).
/// Nothing on the steady-state path allocates.
///
/// ```swift
/// let bell = ProcessDoorbell()
/// let server = try TransportServer(carriers: [carrier], responder: MyResponder(), processDoorbell: bell)
/// // ...
/// server.stop()   // answers what arrived, closes every connection, shuts the carriers down
/// ```
public final class TransportServer: Sendable {
    /// What the server has done so far.
    public let counters: ServerCounters
    /// The poll thread.
    private let runner: AgentRunner
    /// The doorbell the poll thread sleeps on.
    private let doorbell: Doorbell
    /// The process-memory doorbell, when the server owns it.
    private let doorbellOwner: ProcessDoorbell?
    /// The loop's state, kept for the stop request only (its `stopping` flag is atomic).
    private let control: StopControl

    /// Starts serving `carriers` with `responder` on a new thread. `doorbell` is the one the
    /// carriers were built to ring (a shared-memory server carrier's); it must outlive the
    /// server.
    public convenience init(
        carriers: sending [any ServerCarrier], responder: sending any Responder, doorbell: Doorbell,
        configuration: ServerConfiguration = ServerConfiguration()
    ) throws(TransportError) {
        try self.init(carriers: carriers, responder: responder, doorbell: doorbell, owner: nil, configuration: configuration)
    }

    /// Starts serving as above, sleeping on a doorbell in process memory (a server without a
    /// shared-memory carrier), which the server keeps alive.
    public convenience init(
        carriers: sending [any ServerCarrier], responder: sending any Responder, processDoorbell: ProcessDoorbell,
        configuration: ServerConfiguration = ServerConfiguration()
    ) throws(TransportError) {
        try self.init(
            carriers: carriers, responder: responder, doorbell: processDoorbell.doorbell, owner: processDoorbell,
            configuration: configuration)
    }

    private init(
        carriers: sending [any ServerCarrier], responder: sending any Responder, doorbell: Doorbell, owner: ProcessDoorbell?,
        configuration: ServerConfiguration
    ) throws(TransportError) {
        let core = ServerCore(carriers: carriers, responder: responder, configuration: configuration, doorbell: doorbell)
        counters = core.counters
        control = StopControl(core: core)
        self.doorbell = doorbell
        doorbellOwner = owner
        let agent = ServerAgent(core: core)
        do {
            runner = try AgentRunner(agent: agent, idle: { [agent] work in agent.core.idle(work) })
        } catch {
            throw .invalidArgument("cannot start the server thread: \(error)")
        }
    }

    /// Stops cleanly and waits for the poll thread: what already arrived is answered, every
    /// connection gets ERROR CONNECTION_CLOSE and is closed, the carriers are shut down.
    /// Idempotent.
    public func stop() {
        control.requestStop()
        runner.stop()
        doorbell.ring()
        runner.join()
    }

    /// Whether the poll thread still runs.
    public var isRunning: Bool { runner.isRunning }
}

/// The poll loop as an ``Agent`` of `DrainLoop`'s runner.
struct ServerAgent: Agent, @unchecked Sendable {
    // @unchecked: the core is handed to the runner's thread at start and used only there
    // (the idle closure runs on the same thread); the server keeps it only to set its atomic
    // stop flag.
    let core: ServerCore

    var roleName: String { "transport-server" }

    mutating func doWork() throws -> Int { core.runOnce() }

    mutating func onClose() { core.shutdown() }
}

/// The server's handle on the loop's stop flag.
final class StopControl: @unchecked Sendable {
    // @unchecked: only the atomic `stopping` of the core is touched from other threads.
    private let core: ServerCore

    init(core: ServerCore) { self.core = core }

    func requestStop() { core.stopping.store(true, ordering: .releasing) }
}
