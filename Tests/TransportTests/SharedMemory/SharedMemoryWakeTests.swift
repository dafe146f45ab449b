import Foundation
import Posix
import Synchronization
import Testing
@testable import Transport

/// When the server wakes a sleeping client: one blocked on its full client → server ring once
/// the ring is at most half full, not on every poll that frees a few records; one waiting for
/// frames at once, except while the server is saturated (then at most once per interval).
@Suite("Shared-memory carrier: when the server wakes a client")
struct SharedMemoryWakeTests {
    @Test("a client asleep on its full ring is woken after the first poll that leaves the ring at most half full (by the flush ending that turn), not before")
    func wakesAtHalf() throws {
        let name = ShmTest.uniqueName("wake-half")
        defer { ShmTest.removeAll(name) }
        var configuration = ShmTest.server(name, capacity: 4096)
        configuration.livenessInterval = .seconds(1)  // no liveness pass in between
        let server = try SharedMemoryServerCarrier(configuration: configuration)
        defer { server.shutdown() }
        let client = try ShmTest.connect(name, polling: server)
        defer { client.close() }

        // Fill the ring, then announce sleep as a blocked client does.
        let frame = [UInt8](repeating: 3, count: 56)
        var sent = 0
        while try frame.withUnsafeBytes({ try client.send($0) }) == .sent { sent += 1 }
        #expect(sent > 16)
        let capacity = client.outbound.capacity
        #expect(client.outbound.occupiedBytes > capacity / 2)
        _ = client.doorbell.prepareToSleep()
        #expect(client.doorbell.hasSleeper)

        // Drain a few records per poll, each poll ending its turn with a flush (the wake comes
        // after the turn's sends, as the server loop flushes): no wake while the ring is over
        // half full; the turn that brings it to half or below wakes the client.
        var received = 0
        var polls = 0
        while client.outbound.occupiedBytes > capacity / 2 {
            received += server.poll(limit: 2) { event in if case .frame = event {} }
            server.flush()
            polls += 1
            if client.outbound.occupiedBytes > capacity / 2 {
                #expect(client.doorbell.hasSleeper, "woken at \(client.outbound.occupiedBytes) of \(capacity) bytes, after \(polls) polls")
            }
        }
        #expect(polls > 2)
        #expect(!client.doorbell.hasSleeper, "not woken when the ring reached half full")
        #expect(received < sent)
    }

    @Test("a turn that drains a sleeping client's ring to half but sends nothing wakes it at the next poll, before that poll reads")
    func wakesAtNextPollWithoutFlush() throws {
        let name = ShmTest.uniqueName("wake-next")
        defer { ShmTest.removeAll(name) }
        var configuration = ShmTest.server(name, capacity: 4096)
        configuration.livenessInterval = .seconds(1)
        let server = try SharedMemoryServerCarrier(configuration: configuration)
        defer { server.shutdown() }
        let client = try ShmTest.connect(name, polling: server)
        defer { client.close() }
        let frame = [UInt8](repeating: 5, count: 56)
        while try frame.withUnsafeBytes({ try client.send($0) }) == .sent {}
        let capacity = client.outbound.capacity
        _ = client.doorbell.prepareToSleep()
        while client.outbound.occupiedBytes > capacity / 2 { _ = server.poll(limit: 2) { _ in } }
        #expect(client.doorbell.hasSleeper, "woken inside the poll, before the turn's sends")
        let before = client.outbound.occupiedBytes
        _ = server.poll(limit: 1) { _ in }
        #expect(!client.doorbell.hasSleeper, "not woken by the next poll")
        #expect(client.outbound.occupiedBytes < before)
    }

    @Test("a saturated server wakes a sleeping receiver at most once per interval; the wake it owes comes with the first unsaturated poll, or when the interval has passed")
    func coalescedWhileSaturated() throws {
        let name = ShmTest.uniqueName("wake-coalesce")
        defer { ShmTest.removeAll(name) }
        var configuration = ShmTest.server(name)
        configuration.livenessInterval = .seconds(1)
        let server = try SharedMemoryServerCarrier(configuration: configuration)
        defer { server.shutdown() }
        // A producer keeps the server's polls full; the server sends to the client, which sleeps.
        let producer = try ShmTest.connect(name, polling: server)
        defer { producer.close() }
        let client = try ShmTest.connect(name, polling: server)
        defer { client.close() }
        let frame = [UInt8](repeating: 9, count: 24)
        for _ in 0 ..< 12 { #expect(try frame.withUnsafeBytes { try producer.send($0) } == .sent) }
        let id = client.connectionID
        /// One saturated poll (2 of the producer's frames), then a frame to the client and a flush.
        func saturatedRound() {
            #expect(server.poll(limit: 2) { _ in } == 2)
            #expect(frame.withUnsafeBytes { server.send($0, to: id) } == .sent)
            server.flush()
        }

        _ = client.doorbell.prepareToSleep()
        saturatedRound()
        #expect(!client.doorbell.hasSleeper, "the first wake is not put off")

        _ = client.doorbell.prepareToSleep()
        saturatedRound()
        #expect(client.doorbell.hasSleeper, "woken again within the interval while saturated")
        _ = server.poll(limit: 2) { _ in }  // saturated still: the owed wake waits
        #expect(client.doorbell.hasSleeper)
        try Sys.sleep(for: .milliseconds(2))
        saturatedRound()  // the clock moved past the interval: the wake goes out
        #expect(!client.doorbell.hasSleeper, "not woken once the interval passed")

        _ = client.doorbell.prepareToSleep()
        saturatedRound()
        #expect(client.doorbell.hasSleeper)
        #expect(server.poll(limit: 64) { _ in } < 64)  // this poll leaves the server unsaturated
        _ = server.poll(limit: 64) { _ in }            // and the next one rings what is owed
        #expect(!client.doorbell.hasSleeper, "the owed wake did not come once the server was no longer saturated")
        var received = 0
        while try client.receive(limit: 16, { _ in received += 1 }) > 0 {}
        #expect(received == 4)
    }
}
