import Dispatch
import Foundation
import Glibc
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
            usleep(1_000)
        }
        return true
    }

    /// Connects a client, retrying while the server is not up yet (a peer still starting).
    static func connect(_ name: String, within timeout: Duration = .seconds(10)) throws -> SharedMemoryClientCarrier {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try SharedMemoryClientCarrier(configuration: .init(name: name))
            } catch {
                guard case .serverNotFound = error, ContinuousClock.now < deadline else { throw error }
                usleep(5_000)
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
    /// The next expected sequence number of each ``PeerFrame`` producer.
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
                if bytes.count >= PeerFrame.headerLength {
                    guard let frame = PeerFrame.decode(bytes) else { log.faults += 1; return }
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

/// A `transport-peer` helper process, killed (SIGKILL) and reaped when the test is done.
final class TransportPeerProcess {
    let pid: pid_t
    private var status: Int32?

    private init(pid: pid_t) { self.pid = pid }

    /// The `transport-peer` executable beside the running test bundle.
    static var executable: String {
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &path, path.count - 1)
        precondition(count > 0, "cannot read /proc/self/exe")
        let exe = String(decoding: path[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/transport-peer"
    }

    /// Starts `transport-peer ARGUMENTS...`.
    static func spawn(_ arguments: [String]) throws -> TransportPeerProcess {
        let path = executable
        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, path, nil, nil, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
        }
        guard result == 0 else { throw TransportError.invalidArgument("posix_spawn \(path): \(String(cString: strerror(result)))") }
        return TransportPeerProcess(pid: pid)
    }

    /// The exit status (`exited(N)` as N, a signal as 128 + N) once it ends, waiting at most
    /// `timeout`; nil (and the process killed) if it runs longer.
    @discardableResult
    func wait(within timeout: Duration) -> Int32? {
        let ended = ShmTest.eventually(within: timeout) { reap(flags: WNOHANG) }
        if !ended { kill() }
        return ended ? status : nil
    }

    /// Waits until the process stops itself (SIGSTOP); false if it ended instead.
    func waitUntilStopped() -> Bool {
        var raw: Int32 = 0
        while waitpid(pid, &raw, WUNTRACED) < 0 && errno == EINTR {}
        guard raw & 0xff == 0x7f else {
            status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return false
        }
        return true
    }

    /// Kills it with SIGKILL and reaps it (nothing once reaped).
    func kill() {
        guard status == nil else { return }
        _ = Glibc.kill(pid, SIGKILL)
        _ = reap(flags: 0)
    }

    /// Reaps the process if it ended; whether it has.
    private func reap(flags: Int32) -> Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, flags) } while result < 0 && errno == EINTR
        guard result == pid else { return false }
        status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return true
    }
}
