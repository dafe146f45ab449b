import Foundation
import Synchronization
import Testing
@testable import Transport

/// When the server wakes a client blocked on a full client → server ring: once the ring is at
/// most half full, not on every poll that frees a few records.
@Suite("Shared-memory carrier: waking a blocked client")
struct SharedMemoryWakeTests {
    @Test("a client asleep on its full ring is woken by the first poll that leaves the ring at most half full, not before")
    func wakesAtHalf() throws {
        let name = ShmTest.uniqueName("wake-half")
        defer { ShmTest.removeAll(name) }
        var configuration = ShmTest.server(name, capacity: 4096)
        configuration.livenessInterval = .seconds(1)  // no liveness pass in between
        let server = try SharedMemoryServerCarrier(configuration: configuration)
        defer { server.shutdown() }
        let connected = Mutex<SharedMemoryClientCarrier?>(nil)
        let failed = Mutex<String?>(nil)
        Thread {
            do { let client = try SharedMemoryClientCarrier(configuration: .init(name: name)); connected.withLock { $0 = client } }
            catch { failed.withLock { $0 = "\(error)" } }
        }.start()
        #expect(ShmTest.eventually(within: .seconds(10)) {
            _ = server.poll(limit: 8) { _ in }
            return connected.withLock { $0 != nil } || failed.withLock { $0 != nil }
        })
        let client = try #require(connected.withLock { $0 })
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

        // Drain a few records per poll: no wake while the ring is over half full; the poll
        // that brings it to half or below wakes the client.
        var received = 0
        var polls = 0
        while client.outbound.occupiedBytes > capacity / 2 {
            received += server.poll(limit: 2) { event in if case .frame = event {} }
            polls += 1
            if client.outbound.occupiedBytes > capacity / 2 {
                #expect(client.doorbell.hasSleeper, "woken at \(client.outbound.occupiedBytes) of \(capacity) bytes, after \(polls) polls")
            }
        }
        #expect(polls > 2)
        #expect(!client.doorbell.hasSleeper, "not woken when the ring reached half full")
        #expect(received < sent)
    }
}
