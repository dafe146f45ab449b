import Foundation
import Frames
import Harness
import Posix
import ShmRing
import Synchronization
import Testing
import Timeline
import Transport

/// How a test reaches its in-process server.
enum TestCarrier: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case loopback, sharedMemory, tcp

    var testDescription: String { rawValue }
}

/// Names unique to this test process (segments in /dev/shm carry them).
enum TestNames {
    private static let counter = Atomic<Int>(0)

    /// `ct-PID-N-label`: short, since the server's segment names add to it.
    static func unique(_ label: String) -> String {
        "ct\(getpid())-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)-\(label)"
    }

    /// Segments in /dev/shm whose names contain `name`.
    static func segments(of name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter { $0.contains(name) }
    }
}

/// An in-process `TimelineServer` for one test, over a loopback carrier, shared memory and
/// TCP at once; stopped (its segments unlinked) by `stop()`.
final class ClientTestServer: @unchecked Sendable {
    // @unchecked: the loopback carrier is only asked for client ends by the test's threads
    // one at a time (connect is thread-safe in the carrier); everything else is immutable.
    let name: String
    let server: TimelineServer
    let loopback: LoopbackServerCarrier
    private let bell: ProcessDoorbell

    /// Starts a server named after `label`; `tailBufferEvents` bounds each tail's buffer.
    init(_ label: String, tailBufferEvents: Int = 65_536) throws {
        name = TestNames.unique(label)
        bell = ProcessDoorbell()
        loopback = LoopbackServerCarrier(doorbell: bell.doorbell, queueBytes: 1 << 20)
        var configuration = TimelineServerConfiguration(
            name: name, tcp: TCPAddress.loopbackIPv4(port: 0), engine: .init(tailBufferEvents: tailBufferEvents))
        configuration.publishesStat = false
        var sharedMemory = configuration.sharedMemory
        sharedMemory.name = name
        let shm = try SharedMemoryServerCarrier(configuration: sharedMemory)
        do {
            server = try TimelineServer(carriers: [loopback, shm], processDoorbell: bell, configuration: configuration)
        } catch {
            shm.shutdown()
            throw error
        }
    }

    /// The endpoint of `carrier` (nil for the loopback, which has no address).
    func endpoint(_ carrier: TestCarrier) -> TimelineEndpoint? {
        switch carrier {
        case .loopback: nil
        case .sharedMemory: .sharedMemory(name: name)
        case .tcp: .tcp(host: "127.0.0.1", port: server.tcpAddress!.port)
        }
    }

    /// A client over `carrier` with `configuration`.
    func client(_ carrier: TestCarrier, _ configuration: TimelineClientConfiguration = TimelineClientConfiguration()) throws -> TimelineClient {
        guard let endpoint = endpoint(carrier) else { return try TimelineClient(carrier: try loopback.connect(), configuration: configuration) }
        return try TimelineClient(connectingTo: endpoint, configuration: configuration)
    }

    /// Stops the server; nothing of it stays in /dev/shm.
    func stop() {
        try? server.stop()
    }
}

/// Bytes of a string, for expectations.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Waits until `condition` holds or `timeout` passes.
func eventually(within timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(2_000)
    }
    return try condition()
}

/// The built `ringside` executable (TimelineTests depend on it).
func ringsidePath() throws -> String {
    try ChildProcess.executable(named: "ringside")
}
