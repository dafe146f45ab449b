import Foundation
import Glibc
import Frames
import ShmRing
import Synchronization
import Testing
@testable import Transport

/// A server carrier made for one test, with what clients need to reach it.
struct CarrierFixture: @unchecked Sendable {
    // @unchecked: `carrier` is handed to the server once, before any other thread sees it.
    /// The server side.
    let carrier: any ServerCarrier
    /// The doorbell the carrier rings.
    let doorbell: Doorbell
    /// Keeps a process-memory doorbell alive.
    let doorbellOwner: ProcessDoorbell?
    /// Where clients find the server.
    let address: FixtureAddress
    /// Opens a client connection at the carrier level.
    let connect: @Sendable () throws -> any ClientCarrier
}

/// Where a fixture's server is.
enum FixtureAddress: Sendable {
    /// In this process.
    case loopback
    /// A shared-memory server by name.
    case shm(String)
    /// A TCP server on 127.0.0.1 at a port.
    case tcp(UInt16)
}

/// Makes carriers of one kind; the test matrix runs over every factory.
struct CarrierFactory: Sendable, CustomTestStringConvertible {
    /// `loopback`, `shm`, `tcp`.
    let name: String
    /// A fresh server carrier whose frames are at most `maxFrameLength` bytes where the
    /// carrier lets that be chosen.
    let make: @Sendable (_ maxFrameLength: Int) throws -> CarrierFixture

    var testDescription: String { name }

    static let loopback = CarrierFactory(name: "loopback") { maxFrameLength in
        let bell = ProcessDoorbell()
        let carrier = LoopbackServerCarrier(doorbell: bell.doorbell, maxFrameLength: maxFrameLength, queueBytes: 256 << 10)
        return CarrierFixture(carrier: carrier, doorbell: bell.doorbell, doorbellOwner: bell, address: .loopback) { try carrier.connect() }
    }

    /// Shared memory: a server of its own name, rings of 256 KiB (frames up to 32 KiB).
    static let shm = CarrierFactory(name: "shm") { _ in
        let name = "rs-matrix-\(getpid())-\(serverCounter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        let carrier = try SharedMemoryServerCarrier(configuration: .init(
            name: name, maxClients: 80, clientToServerCapacity: 256 << 10, serverToClientCapacity: 256 << 10))
        return CarrierFixture(carrier: carrier, doorbell: carrier.doorbell, doorbellOwner: nil, address: .shm(name)) {
            try SharedMemoryClientCarrier(configuration: .init(name: name))
        }
    }

    /// TCP on 127.0.0.1, a free port; inbound frames limited to `maxFrameLength` (at least
    /// 64 KiB, what a connection writes at most by default).
    static let tcp = CarrierFactory(name: "tcp") { maxFrameLength in
        let bell = ProcessDoorbell()
        var configuration = TCPCarrierConfiguration()
        configuration.maxInboundFrameLength = max(maxFrameLength, 64 << 10)
        let carrier = try TCPServerCarrier(listeningOn: .loopbackIPv4(port: 0), doorbell: bell.doorbell, configuration: configuration)
        let address = carrier.boundAddress
        return CarrierFixture(carrier: carrier, doorbell: bell.doorbell, doorbellOwner: bell, address: .tcp(address.port)) {
            try TCPClientCarrier(connectingTo: address)
        }
    }

    /// Numbers the shared-memory servers of this process.
    static let serverCounter = Atomic<Int>(0)

    /// Every carrier the matrix covers.
    static let all: [CarrierFactory] = [.loopback, .shm, .tcp]
}

/// What the test responder saw, readable from the test's thread.
final class ResponderLog: Sendable {
    struct State {
        var setups: [String] = []
        var fireAndForget = 0
        var lastFireAndForget: [UInt8] = []
        var cancels = 0
        var closed = 0
        var batches = 0
        var held = 0
        var channelPayloads: [String] = []
    }

    let state = Mutex(State())

    func read<T: Sendable>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    /// Waits until `condition` holds (at most `timeout`).
    func wait(timeout: Duration = .seconds(5), _ condition: (State) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ condition($0) }) { return true }
            usleep(1_000)
        }
        return false
    }

    /// Waits as ``wait(timeout:_:)`` does, but suspends between checks instead of blocking
    /// its thread: async tests wait so, as the concurrency pool has a thread per core (two
    /// here), and with one held by another suite's slow test (many take a minute under the
    /// address sanitizer) a blocked waiter starves the very task it waits for.
    func waitSuspending(timeout: Duration = .seconds(5), _ condition: (State) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ condition($0) }) { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }
}

/// The responder the matrix talks to. Requests are small commands in the data:
/// request-response `fail` (APPLICATION_ERROR), `big:N` (an answer of N bytes), `encode:TEXT`
/// (TEXT upper-cased, encoded in place by the output), anything else
/// echoed (metadata too); request-stream `count:N` (N items then complete, all pushed at once:
/// the session holds what the credit does not cover), `endless` (items while credit lasts,
/// more on demand), `hold` (never answered); channels echo each payload.
final class TestResponder: Responder {
    let log: ResponderLog
    var endless: [StreamRef: (output: ResponderOutput, sent: Int)] = [:]

    init(log: ResponderLog) { self.log = log }

    func setup(_ request: SetupRequest, connection: ConnectionID) -> SetupDecision {
        let mime = request.dataMIMETypeString
        log.state.withLock { $0.setups.append(mime) }
        return mime == "text/refuse" ? .reject("refused for the test") : .accept
    }

    func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {
        let data = Array(payload.unsafeData)
        log.state.withLock {
            $0.fireAndForget += 1
            $0.lastFireAndForget = data
        }
    }

    func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        let text = String(decoding: payload.unsafeData, as: UTF8.self)
        if text == "fail" {
            output.error(.applicationError, reason: "failed on purpose")
        } else if text.hasPrefix("encode:") {
            output.next(encoding: String(text.dropFirst(7)).uppercased())
        } else if text.hasPrefix("big:"), let size = Int(text.dropFirst(4)) {
            let answer = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            _ = answer.withUnsafeBytes { output.next($0) }
        } else {
            output.next(payload.unsafeData, metadata: payload.unsafeMetadata)
        }
    }

    func requestStream(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput) {
        let text = String(decoding: payload.unsafeData, as: UTF8.self)
        if text.hasPrefix("count:"), let count = Int(text.dropFirst(6)) {
            var held = 0
            for index in 0..<count where Array("item-\(index)".utf8).withUnsafeBytes({ output.next($0) }) == .held {
                held += 1
            }
            if output.complete() == .held { held += 1 }
            log.state.withLock { $0.held += held }
        } else if text == "endless" {
            endless[output.stream] = (output, 0)
            pushEndless(output.stream)
        }
    }

    func pushEndless(_ ref: StreamRef) {
        guard var entry = endless[ref] else { return }
        while entry.output.credit > 0 {
            let item = Array("tick-\(entry.sent)".utf8)
            guard item.withUnsafeBytes({ entry.output.next($0) }) == .sent else { break }
            entry.sent += 1
        }
        endless[ref] = entry
    }

    func requestChannel(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput) {
        output.next(payload.unsafeData)
    }

    func channelPayload(_ payload: PayloadView, complete: Bool, output: ResponderOutput) {
        let text = String(decoding: payload.unsafeData, as: UTF8.self)
        log.state.withLock { $0.channelPayloads.append(text) }
        output.next(payload.unsafeData, complete: complete)
    }

    func channelComplete(output: ResponderOutput) { output.complete() }

    func demand(credit: UInt32, output: ResponderOutput) { pushEndless(output.stream) }

    func cancel(output: ResponderOutput) {
        endless[output.stream] = nil
        log.state.withLock { $0.cancels += 1 }
    }

    func connectionClosed(_ connection: ConnectionID, reason: CarrierCloseReason) { log.state.withLock { $0.closed += 1 } }

    func endOfBatch() { log.state.withLock { $0.batches += 1 } }
}

/// A running server over one carrier, with the test responder.
final class MatrixServer: Sendable {
    let server: TransportServer
    let log = ResponderLog()
    let connectCarrier: @Sendable () throws -> any ClientCarrier
    let doorbellOwner: ProcessDoorbell?
    let address: FixtureAddress

    init(_ factory: CarrierFactory, maxFrameLength: Int = 64 << 10, configuration: ServerConfiguration = ServerConfiguration()) throws {
        let fixture = try factory.make(maxFrameLength)
        connectCarrier = fixture.connect
        doorbellOwner = fixture.doorbellOwner
        address = fixture.address
        let responder = TestResponder(log: log)
        server = try TransportServer(carriers: [fixture.carrier], responder: responder, doorbell: fixture.doorbell, configuration: configuration)
    }

    /// A connection with the test defaults (short timeouts).
    func connect(_ configuration: ConnectionConfiguration = ConnectionConfiguration(dataMIMEType: "application/json", requestTimeout: .seconds(5))) throws -> Connection {
        try Connection(carrier: connectCarrier(), configuration: configuration)
    }

    /// A carrier-level client that plays the protocol by hand.
    func raw() throws -> RawClient { RawClient(carrier: try connectCarrier()) }

    func stop() { server.stop() }
}

/// A client that sends and reads frames by hand (for protocol violations).
final class RawClient {
    let carrier: any ClientCarrier

    init(carrier: any ClientCarrier) { self.carrier = carrier }

    deinit { carrier.close() }

    func send(_ frame: [UInt8]) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while try frame.withUnsafeBytes({ try carrier.send($0) }) == .wouldBlock {
            guard ContinuousClock.now < deadline else { throw TransportError.timedOut("send") }
            try carrier.waitForWork(timeout: .milliseconds(1))
        }
    }

    /// The next frame, or nil when the connection closed; throws after `timeout`.
    func next(timeout: Duration = .seconds(5)) throws -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        while true {
            var frame: [UInt8]?
            do {
                _ = try carrier.receive(limit: 1) { frame = Array($0) }
            } catch {
                return nil
            }
            if let frame { return frame }
            guard ContinuousClock.now < deadline else { throw TransportError.timedOut("receive") }
            try carrier.waitForWork(timeout: .milliseconds(5))
        }
    }

    /// Reads frames until the connection closes; returns them.
    func drainUntilClosed(timeout: Duration = .seconds(5)) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while let frame = try next(timeout: timeout) { frames.append(frame) }
        return frames
    }
}

/// The type, stream and (for ERROR) code of a frame.
func describe(_ frame: [UInt8]) -> (type: FrameType, stream: UInt32, code: ErrorCode?) {
    frame.withUnsafeBytes { raw in
        let reader = try! FrameReader(validating: raw)
        if case .error(let code) = reader.fields { return (reader.type, reader.streamID, code) }
        return (reader.type, reader.streamID, nil)
    }
}
