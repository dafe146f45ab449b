import Glibc
import Harness
import ShmRing
import Synchronization
import Testing
@testable import Transport

/// What the order-checking responder saw.
final class ProducerLog: Sendable {
    struct State {
        var next: [UInt32: UInt64] = [:]
        var faults = 0
        var done = 0
        var closed = 0
    }

    let state = Mutex(State())

    func wait(within timeout: Duration, _ condition: (State) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ condition($0) }) { return true }
            usleep(2_000)
        }
        return false
    }
}

/// Checks that each producer's frames arrive in order; answers `done`.
final class ProducerResponder: Responder {
    let log: ProducerLog

    init(log: ProducerLog) { self.log = log }

    func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {
        guard payload.unsafeData.count == 16 else {
            log.state.withLock { $0.faults += 1 }
            return
        }
        let producer = UInt32(littleEndian: payload.unsafeData.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let sequence = UInt64(littleEndian: payload.unsafeData.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        log.state.withLock { state in
            if state.next[producer, default: 0] != sequence { state.faults += 1 }
            state.next[producer] = sequence + 1
        }
    }

    func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        output.next(payload.unsafeData)
        log.state.withLock { $0.done += 1 }
    }

    func connectionClosed(_ connection: ConnectionID, reason: CarrierCloseReason) { log.state.withLock { $0.closed += 1 } }
}

/// Sessions across real processes (`session-peer` clients over shared memory to a server in
/// this process): every frame in order per producer, and a client killed mid-stream.
@Suite(.serialized) struct SessionCrossProcessTests {
    static let counter = Atomic<Int>(0)

    func serve(_ log: ProducerLog) throws -> (TransportServer, String) {
        let name = "rs-xp-\(getpid())-\(Self.counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        let carrier = try SharedMemoryServerCarrier(configuration: .init(name: name))
        let server = try TransportServer(carriers: [carrier], responder: ProducerResponder(log: log), doorbell: carrier.doorbell)
        return (server, name)
    }

    func spawn(_ name: String, producer: Int, count: Int) throws -> ChildProcess {
        try ChildProcess(ChildProcess.executable(named: "session-peer"), arguments: ["fnf", name, "\(producer)", "\(count)"], timeLimit: .seconds(120))
    }

    @Test("4 client processes of 100,000 fire-and-forget frames each: all received, in order per producer")
    func fourProducers() throws {
        let log = ProducerLog()
        let (server, name) = try serve(log)
        defer { server.stop() }
        let each = 100_000
        let peers = try (0..<4).map { try spawn(name, producer: $0, count: each) }
        for peer in peers { #expect(peer.wait(deadline: .now + .seconds(100)) == .exited(0)) }
        #expect(log.wait(within: .seconds(5)) { $0.closed == 4 })
        log.state.withLock { state in
            #expect(state.faults == 0)
            #expect(state.done == 4)
            #expect((0..<4).allSatisfy { state.next[UInt32($0)] == UInt64(each) })
        }
    }

    @Test("a client process killed with SIGKILL mid-stream: its session ends, the others carry on")
    func clientKilled() throws {
        let log = ProducerLog()
        let (server, name) = try serve(log)
        defer { server.stop() }
        let victim = try spawn(name, producer: 9, count: -1)
        defer { victim.kill() }
        #expect(log.wait(within: .seconds(30)) { ($0.next[9] ?? 0) > 1_000 })
        victim.kill()
        #expect(log.wait(within: .seconds(2)) { $0.closed == 1 }, "the dead client's session is closed")
        let survivors = try (0..<2).map { try spawn(name, producer: $0, count: 20_000) }
        for peer in survivors { #expect(peer.wait(deadline: .now + .seconds(60)) == .exited(0)) }
        log.state.withLock { state in
            #expect(state.faults == 0)
            #expect(state.next[0] == 20_000 && state.next[1] == 20_000)
        }
    }
}
