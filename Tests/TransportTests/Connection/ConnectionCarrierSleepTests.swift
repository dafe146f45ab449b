import Glibc
import ShmRing
import Testing
@testable import Transport

/// An idle reader's sleep as the carriers offer it (``ClientCarrier/prepareSleep(timeout:)``):
/// the shared-memory carrier announces it on its doorbell, to be slept without the
/// connection's mutex; carriers without one wait in `waitForWork`, at most 2 ms.
@Suite("Connection: the carriers' idle sleeps")
struct ConnectionCarrierSleepTests {
    @Test("shared memory: a sleep is announced on the doorbell, refused with a frame unread, and cut short by the server's frame")
    func sharedMemory() throws {
        let name = ShmTest.uniqueName("sleep")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        defer { client.close() }
        #expect(server.waitUntil { $0.opened[client.connectionID] != nil })
        #expect(client.receivesFromMemory)
        let doorbell = try #require(client.sleepDoorbell)

        let sleep = try #require(try client.prepareSleep(timeout: .seconds(5)))
        #expect(doorbell.hasSleeper)
        // The echo of this frame rings the announced sleeper: the sleep ends long before 5 s.
        #expect(try Array("wake".utf8).withUnsafeBytes { try client.send($0) } == .sent)
        let start = ContinuousClock.now
        sleep.sleep()
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(!doorbell.hasSleeper)

        // The echo waits unread (it has arrived once a sleep is refused): no sleep is announced.
        var refused = false
        for _ in 0 ..< 1_000 {
            guard let pending = try client.prepareSleep(timeout: .milliseconds(10)) else {
                refused = true
                break
            }
            pending.sleep()
        }
        #expect(refused)
        #expect(!doorbell.hasSleeper)
        var echoed: [[UInt8]] = []
        _ = try client.receive(limit: 8) { echoed.append(Array($0)) }
        #expect(echoed == [Array("wake".utf8)])

        // Nothing unread: a sleep is announced again, and a timed one returns on its own.
        let quiet = try #require(try client.prepareSleep(timeout: .milliseconds(20)))
        let slept = ContinuousClock.now
        quiet.sleep()
        #expect(ContinuousClock.now - slept < .seconds(2))
        #expect(!doorbell.hasSleeper)
    }

    @Test("a carrier without a doorbell waits in waitForWork, at most 2 ms, and announces nothing")
    func loopback() throws {
        let bell = ProcessDoorbell()
        let server = LoopbackServerCarrier(doorbell: bell.doorbell)
        let client = try server.connect()
        defer { client.close() }
        #expect(!client.receivesFromMemory)
        #expect(client.sleepDoorbell == nil)
        let start = ContinuousClock.now
        #expect(try client.prepareSleep(timeout: .seconds(5)) == nil)
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}
