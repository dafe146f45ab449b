import Dispatch
import Foundation
import Glibc
import Harness
import PeerSupport
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Transport
@testable import transport_peer

/// Names, servers and processes shared by the shared-memory carrier tests.
enum ShmTest {
    private static let counter = Atomic<Int>(0)

    /// A server name no other test (or run) uses: `shmtest-PID-LABEL-N`.
    static func uniqueName(_ label: String) -> String {
        "shmtest-\(getpid())-\(label)-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
    }

    /// Small rings, so that many clients stay cheap.
    static func server(_ name: String, maxClients: Int = 8, capacity: Int = 16 * 1024) -> SharedMemoryServerConfiguration {
        SharedMemoryServerConfiguration(name: name, maxClients: maxClients,
                                        clientToServerCapacity: capacity, serverToClientCapacity: capacity)
    }

    /// Every segment under `/dev/shm` whose name starts with the server's name.
    static func leftovers(_ name: String) -> [String] {
        (try? Sys.sharedMemoryNames(withPrefix: name)) ?? ["(cannot list /dev/shm)"]
    }

    /// Unlinks whatever a test left under `name` (cleanup after a failed assertion).
    static func removeAll(_ name: String) {
        for segment in leftovers(name) { try? SharedMemorySegment.unlink(name: segment) }
    }

    /// Polls `condition` every millisecond until it holds or `timeout` passes.
    static func eventually(within timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try? Sys.sleep(for: .milliseconds(1))
        }
        return true
    }

    /// Starts `transport-peer ARGUMENTS...`, killed with SIGKILL at `timeLimit` at the latest
    /// (and when dropped).
    static func peer(_ arguments: [String], timeLimit: Duration = .seconds(60)) throws -> ChildProcess {
        try ChildProcess(ChildProcess.executable(named: "transport-peer"), arguments: arguments, timeLimit: timeLimit)
    }

    /// Connects a client from another thread while this one polls `server` (a test without a
    /// server thread), handing every event of those polls to `event`.
    static func connect(_ name: String, polling server: SharedMemoryServerCarrier,
                        _ event: (CarrierEvent) -> Void = { _ in }) throws -> SharedMemoryClientCarrier {
        let connected = Mutex<SharedMemoryClientCarrier?>(nil)
        let failed = Mutex<String?>(nil)
        Thread {
            do { let client = try SharedMemoryClientCarrier(configuration: .init(name: name)); connected.withLock { $0 = client } }
            catch { failed.withLock { $0 = "\(error)" } }
        }.start()
        #expect(eventually(within: .seconds(10)) {
            _ = server.poll(limit: 8, event)
            return connected.withLock { $0 != nil } || failed.withLock { $0 != nil }
        })
        if let failure = failed.withLock({ $0 }) { Issue.record("connect failed: \(failure)") }
        return try #require(connected.withLock { $0 })
    }

    /// Connects a client, retrying while the server is not up yet (a peer still starting).
    static func connect(_ name: String, within timeout: Duration = .seconds(10)) throws -> SharedMemoryClientCarrier {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try SharedMemoryClientCarrier(configuration: .init(name: name))
            } catch {
                guard case .serverNotFound = error, ContinuousClock.now < deadline else { throw error }
                try? Sys.sleep(for: .milliseconds(5))
            }
        }
    }
}

/// What a ``TestServer`` saw, in order of arrival.
struct ServerLog {
    /// Connections opened, with their peer description.
    var opened: [ConnectionID: String] = [:]
    /// Frames received per connection.
    var frames: [ConnectionID: Int] = [:]
    /// How each connection ended.
    var closed: [ConnectionID: CarrierCloseReason] = [:]
    /// Malformed reports per connection.
    var malformed: [ConnectionID: String] = [:]
    /// The next expected sequence number of each ``PeerMessage`` producer.
    var next: [UInt32: UInt64] = [:]
    /// Peer frames out of order, duplicated, or with wrong filler bytes.
    var faults = 0
    /// The last frame received on each connection.
    var last: [ConnectionID: [UInt8]] = [:]
}

/// A tiny server loop on a thread of its own, playing the session layer: it polls the
/// carrier, logs every event, hands each frame to `onFrame` (echo by default) and sleeps on
/// the doorbell when idle.
final class TestServer: @unchecked Sendable {
    // @unchecked Sendable: `carrier` is touched only by the loop thread once it started (the
    // test thread reads only Sendable members: the doorbell and the locked log); commands
    // from the test thread travel through `commands`.
    typealias FrameHandler = @Sendable (ConnectionID, UnsafeRawBufferPointer, SharedMemoryServerCarrier) -> Void

    let carrier: SharedMemoryServerCarrier
    let doorbell: Doorbell
    let name: String
    let log = Mutex(ServerLog())
    private let commands = Mutex<[@Sendable (SharedMemoryServerCarrier) -> Void]>([])
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let onFrame: FrameHandler

    /// Starts a server with `configuration` and its loop.
    init(_ configuration: SharedMemoryServerConfiguration, onFrame: @escaping FrameHandler = TestServer.echo) throws {
        carrier = try SharedMemoryServerCarrier(configuration: configuration)
        doorbell = carrier.doorbell
        name = configuration.name
        self.onFrame = onFrame
        let thread = Thread { [self] in run() }
        thread.start()
    }

    /// Sends every frame straight back.
    static let echo: FrameHandler = { id, bytes, carrier in _ = carrier.send(bytes, to: id) }

    /// Runs `command` on the loop thread, soon.
    func perform(_ command: @escaping @Sendable (SharedMemoryServerCarrier) -> Void) {
        commands.withLock { $0.append(command) }
        doorbell.ring()
    }

    /// Waits up to `timeout` for the log to satisfy `condition`.
    func waitUntil(within timeout: Duration = .seconds(10), _ condition: (ServerLog) -> Bool) -> Bool {
        ShmTest.eventually(within: timeout) { log.withLock { condition($0) } }
    }

    /// Stops the loop, shuts the carrier down and waits for the thread to end.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        doorbell.ring()
        finished.wait()
    }

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            for command in commands.withLock({ pending in defer { pending.removeAll() }; return pending }) { command(carrier) }
            if carrier.poll(limit: 256, handle) == 0 { carrier.waitForWork(timeout: .milliseconds(100)) }
            carrier.flush()
        }
        carrier.shutdown()
        finished.signal()
    }

    private func handle(_ event: CarrierEvent) {
        switch event {
        case .opened(let id, let peer):
            log.withLock { $0.opened[id] = peer }
        case .frame(let id, let bytes):
            log.withLock { log in
                log.frames[id, default: 0] += 1
                log.last[id] = Array(bytes)
                if bytes.count >= PeerMessage.headerLength {
                    guard let frame = PeerMessage.decode(bytes) else { log.faults += 1; return }
                    if log.next[frame.producer, default: 0] != frame.sequence { log.faults += 1 }
                    log.next[frame.producer] = frame.sequence + 1
                }
            }
            onFrame(id, bytes, carrier)
        case .malformed(let id, let reason):
            log.withLock { $0.malformed[id] = reason }
            carrier.close(id)
        case .closed(let id, let reason):
            log.withLock { $0.closed[id] = reason }
        }
    }
}
