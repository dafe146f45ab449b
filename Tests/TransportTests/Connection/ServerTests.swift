import Foundation
import Frames
import Harness
import ShmRing
import Synchronization
import Testing
@testable import Transport

/// What a ``CountingResponder`` saw, readable from the test.
final class Counts: Sendable {
    let frames = Atomic<Int>(0)
    let allocations = Atomic<UInt64>(0)
}

/// Counts what reaches it and the allocations its thread (the server's poll thread) made.
final class CountingResponder: Responder {
    let counts: Counts
    let answer = [UInt8](repeating: 0x42, count: 32)

    init(_ counts: Counts) { self.counts = counts }

    func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {
        counts.frames.add(1, ordering: .relaxed)
        counts.allocations.store(AllocationCounts.current.mallocs, ordering: .relaxed)
    }

    func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        answer.withUnsafeBytes { _ = output.next($0) }
        counts.frames.add(1, ordering: .relaxed)
        counts.allocations.store(AllocationCounts.current.mallocs, ordering: .relaxed)
    }
}

/// The server's poll loop: batching, idling on the doorbell, several connections, stop.
@Suite(.serialized) struct ServerTests {
    func waitFor(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(1_000)
        }
        return false
    }

    @Test("an idle server sleeps on its doorbell and wakes for new work")
    func idleSleeps() throws {
        let bell = ProcessDoorbell()
        let carrier = LoopbackServerCarrier(doorbell: bell.doorbell)
        let log = ResponderLog()
        let server = try TransportServer(carriers: [carrier], responder: TestResponder(log: log), processDoorbell: bell)
        defer { server.stop() }
        #expect(waitFor { server.counters.doorbellSleeps > 0 })
        let before = server.counters.doorbellSleeps
        usleep(300_000)
        #expect(server.counters.doorbellSleeps - before <= 8, "sleeps of up to 100 ms, not a spin")
        let connection = try Connection(carrier: carrier.connect(), configuration: ConnectionConfiguration(requestTimeout: .seconds(5)))
        defer { connection.close() }
        let started = ContinuousClock.now
        let answer = try Array("wake".utf8).withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
        #expect(answer == Array("wake".utf8))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("many connections at once, each answered; closes reach the responder")
    func manyConnections() throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        var connections: [Connection] = []
        for _ in 0..<64 { connections.append(try server.connect()) }
        for (index, connection) in connections.enumerated() {
            let request = Array("client-\(index)".utf8)
            #expect(try request.withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } } == request)
        }
        #expect(server.server.counters.connectionsOpen == 64)
        for connection in connections { connection.close() }
        #expect(server.log.wait { $0.closed == 64 })
        #expect(server.server.counters.connectionsOpen == 0)
    }

    @Test("concurrent callers on one connection are serialised and all answered")
    func concurrentCallers() async throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        let request = Array("t\(task)-\(index)".utf8)
                        if index % 2 == 0 {
                            let answer = try request.withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
                            #expect(answer == request)
                        } else {
                            #expect(try await connection.requestResponse(data: request).data == request)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("stop answers what already arrived, then closes every connection")
    func stopAnswersInFlight() throws {
        let server = try MatrixServer(.loopback)
        let connection = try server.connect()
        defer { connection.close() }
        for index in 0..<100 {
            try Array("last-\(index)".utf8).withUnsafeBytes { bytes in try connection.fireAndForget(data: bytes) }
        }
        server.stop()
        #expect(server.log.read { $0.fireAndForget } == 100)
        #expect(server.log.read { $0.closed } == 1)
        server.stop()
    }

    @Test(
        "the server's steady state allocates nothing on its thread (fire-and-forget and request-response)",
        .enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
    func steadyStateAllocations() throws {
        let bell = ProcessDoorbell()
        let carrier = LoopbackServerCarrier(doorbell: bell.doorbell)
        let target = Counts()
        let server = try TransportServer(carriers: [carrier], responder: CountingResponder(target), processDoorbell: bell)
        defer { server.stop() }
        let connection = try Connection(carrier: carrier.connect(), configuration: ConnectionConfiguration(requestTimeout: .seconds(5)))
        defer { connection.close() }
        let data = [UInt8](repeating: 1, count: 32)
        func burst() throws {
            try data.withUnsafeBytes { bytes in
                for _ in 0..<2_000 { try connection.fireAndForget(data: bytes) }
                for _ in 0..<200 { _ = try connection.requestResponse(data: bytes) { $0.unsafeData.count } }
            }
        }
        try burst()
        #expect(waitFor { target.frames.load(ordering: .relaxed) == 2_200 })
        let before = target.allocations.load(ordering: .relaxed)
        try burst()
        #expect(waitFor { target.frames.load(ordering: .relaxed) == 4_400 })
        #expect(target.allocations.load(ordering: .relaxed) - before == 0)
    }
}

/// Back-pressure on the server side: a client that does not read.
@Suite(.serialized) struct ServerBackPressureTests {
    @Test("a client that does not read: frames wait in a bounded backlog, the loop sleeps, nothing is lost")
    func slowReader() throws {
        let bell = ProcessDoorbell()
        let carrier = LoopbackServerCarrier(doorbell: bell.doorbell, maxFrameLength: 1_024, queueBytes: 4_096)
        let log = ResponderLog()
        let server = try TransportServer(
            carriers: [carrier], responder: TestResponder(log: log), processDoorbell: bell,
            configuration: ServerConfiguration(maxBacklogBytes: 16_384))
        defer { server.stop() }
        let raw = RawClient(carrier: try carrier.connect())
        try raw.send(Wire.setup())
        try raw.send(Wire.stream(1, Credit.unbounded, "endless"))
        usleep(200_000)
        // The loop naps (1 ms at a time) while the backlog waits rather than spinning; on two
        // busy cores a nap can take far longer than asked, so count naps up to a deadline.
        let sleeps = server.counters.doorbellSleeps
        let deadline = ContinuousClock.now + .seconds(5)
        while server.counters.doorbellSleeps - sleeps < 20 && ContinuousClock.now < deadline { usleep(10_000) }
        #expect(server.counters.doorbellSleeps - sleeps >= 20, "the loop sleeps (1 ms naps) while the backlog waits")
        var items = 0
        while let frame = (try? raw.next(timeout: .milliseconds(300))) ?? nil {
            #expect(String(decoding: frame.dropFirst(6), as: UTF8.self) == "tick-\(items)")
            items += 1
            if items > 5_000 { break }
        }
        #expect(items > 100 && items < 5_000, "bounded: the responder was refused once the backlog was full (\(items) items)")
    }
}
