import Dispatch
import Frames
import Glibc
import LabKit
import ShmRing
import Synchronization
import Timeline

/// What every peer process of the timeline suite shares: its arguments (`SEGMENT CPU
/// ENDPOINT ENCODING ...`), the run's segment opened and the process pinned (through
/// ``TransportHarness/peer(_:_:)``), the control block, and a way out when the lab is gone.
struct TimelinePeer {
    /// The run's control block.
    let control: TimelineControl
    /// The server to reach (`shm:NAME` or `tcp:HOST:PORT` on the command line).
    let endpoint: TimelineEndpoint
    /// The case's encoding (`binary` or `json`).
    let encoding: TimelineEncoding
    /// The arguments after the common four.
    let arguments: [String]
    /// The stamp region's bytes (region 0).
    let stampRegion: UnsafeMutableRawBufferPointer
    /// The lab process that started this peer.
    private let parent = getppid()

    /// Attaches to the run named by `arguments` and runs `body` with this peer.
    static func run(_ arguments: [String], _ body: (TimelinePeer) throws -> Void) throws {
        try TransportHarness.peer(arguments) { segment, _, rest in
            guard rest.count >= 2 else { throw LabError("timeline peer needs SEGMENT CPU ENDPOINT ENCODING ...: \(arguments)") }
            guard let controlRegion = segment.unsafeRegionBytes(segment.regions.count - 1),
                  let stampRegion = segment.unsafeRegionBytes(0) else { throw LabError("timeline segment without its regions") }
            let peer = TimelinePeer(
                control: try TimelineControl(controlRegion), endpoint: try endpoint(parsing: rest[0]),
                encoding: try encoding(parsing: rest[1]), arguments: Array(rest.dropFirst(2)), stampRegion: stampRegion)
            try body(peer)
        }
    }

    /// Integer argument `index` after the common four.
    func integer(_ index: Int) throws -> Int {
        try TransportHarness.integer(arguments, index)
    }

    /// A client of the run's server in the case's encoding (client defaults otherwise).
    func connect() throws -> TimelineClient {
        try TimelineClient(connectingTo: endpoint, configuration: TimelineClientConfiguration(encoding: encoding))
    }

    /// Throws once the lab that started this peer is gone (this peer was reparented).
    func checkParent() throws {
        guard getppid() == parent else { throw LabError("the lab (pid \(parent)) is gone") }
    }

    /// Waits, yielding the processor between looks (peers share CPUs), until `condition`
    /// holds; throws after `timeout` or when the lab is gone, naming `what`. A condition
    /// that does not hold at once gets the processor given up before anything else (the
    /// deadline's clock read, and the name, which is built only for the error): a probe's
    /// producer hands its CPU to the subscriber as soon as its write is sent. Built first,
    /// the name (a string interpolated per probe) and the clock read put 50-320 ns of the
    /// producer's own work between the write's commit and the hand-over, time the
    /// insert-to-visible probes counted and an application would not spend.
    func wait(for what: @autoclosure () -> String, timeout: Duration, _ condition: () -> Bool) throws {
        guard !condition() else { return }
        sched_yield()
        let deadline = ContinuousClock.now + timeout
        var looks = 0
        while !condition() {
            looks &+= 1
            if looks & 1023 == 0 {
                guard ContinuousClock.now < deadline else { throw LabError("timed out after \(timeout) waiting for \(what())") }
                try checkParent()
            }
            sched_yield()
        }
    }

    /// Sleeps a millisecond at a time until `flag` is set; throws when the lab is gone.
    func sleep(until flag: UnsafeMutablePointer<Atomic<Int64>>) throws {
        while flag.pointee.load(ordering: .acquiring) == 0 {
            try checkParent()
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
    }

    /// `shm:NAME` or `tcp:HOST:PORT`, as ``text(_:)`` writes it.
    static func endpoint(parsing text: String) throws -> TimelineEndpoint {
        if text.hasPrefix("shm:") { return .sharedMemory(name: String(text.dropFirst(4))) }
        if text.hasPrefix("tcp:") { return try TimelineEndpoint.tcp(parsing: String(text.dropFirst(4))) }
        throw LabError("endpoint '\(text)': shm:NAME or tcp:HOST:PORT")
    }

    /// The command-line form of `endpoint`.
    static func text(_ endpoint: TimelineEndpoint) -> String {
        switch endpoint {
        case .sharedMemory(let name): "shm:\(name)"
        case .tcp(let host, let port): "tcp:\(host):\(port)"
        }
    }

    /// `binary` or `json`.
    static func encoding(parsing text: String) throws -> TimelineEncoding {
        switch text {
        case "binary": .binary
        case "json": .json
        default: throw LabError("encoding '\(text)': binary or json")
        }
    }

    /// The command-line form of `encoding`.
    static func text(_ encoding: TimelineEncoding) -> String { encoding == .binary ? "binary" : "json" }

    /// Runs `body` on Swift concurrency's pool and blocks this thread (a peer's main thread,
    /// outside the pool) until it returns.
    static func blocking<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = Mutex<Result<Value, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<Value, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0 }!.get()
    }
}
