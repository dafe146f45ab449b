import Glibc
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Transport

/// The edges of the handshake and of close: timeouts, versions, shutdown, a close that
/// finds the ring full.
@Suite("Shared-memory handshake")
struct SharedMemoryHandshakeTests {
    @Test("a server that never answers: the client times out, abandons and unlinks its channel; the late server drops it")
    func connectTimeout() throws {
        let name = ShmTest.uniqueName("timeout")
        defer { ShmTest.removeAll(name) }
        let server = try SharedMemoryServerCarrier(configuration: ShmTest.server(name))
        defer { server.shutdown() }
        let started = ContinuousClock.now
        #expect {
            try SharedMemoryClientCarrier(configuration: .init(name: name, connectTimeout: .milliseconds(200)))
        } throws: { error in
            guard case TransportError.timedOut = error else { return false }
            return true
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
        #expect(server.poll(limit: 8) { _ in } == 0)
        #expect(server.rejectedConnectCount == 1)
        #expect(server.connectionCount == 0)
    }

    @Test("a control block of another major version is refused; another minor version is accepted")
    func versionByMajor() throws {
        let name = ShmTest.uniqueName("version")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let base = server.carrier.control.base
        base.storeBytes(of: UInt16(2), toByteOffset: ControlBlock.majorOffset, as: UInt16.self)
        #expect {
            try SharedMemoryClientCarrier(configuration: .init(name: name))
        } throws: { error in
            guard case TransportError.refused(let why) = error else { return false }
            return why.contains("2.0")
        }
        base.storeBytes(of: UInt16(1), toByteOffset: ControlBlock.majorOffset, as: UInt16.self)
        base.storeBytes(of: UInt16(7), toByteOffset: ControlBlock.minorOffset, as: UInt16.self)
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        client.close()
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
    }

    @Test("server shutdown: the client drains what was sent, then gets serverGone; nothing is left")
    func shutdownReachesClients() throws {
        let name = ShmTest.uniqueName("shutdown")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        defer { client.close() }
        let id = client.connectionID
        #expect(server.waitUntil { $0.opened[id] != nil })
        server.perform { carrier in _ = [UInt8]([4, 2]).withUnsafeBytes { carrier.send($0, to: id) } }
        #expect(ShmTest.eventually(within: .seconds(5)) { client.inbound.occupiedBytes > 0 })
        server.stop()
        var frames: [[UInt8]] = []
        #expect(try client.receive(limit: 8) { frames.append(Array($0)) } == 1)
        #expect(frames == [[4, 2]])
        #expect {
            _ = try client.receive(limit: 8) { _ in }
        } throws: { error in
            guard case TransportError.serverGone(let why) = error else { return false }
            return why.contains("shut down")
        }
        client.close()
        #expect(ShmTest.leftovers(name).isEmpty)
    }

    @Test("a client closing on a full ring: every frame sent before the close still arrives, then peerClosed")
    func closeOnFullRing() throws {
        let name = ShmTest.uniqueName("closefull")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name, capacity: 4096), onFrame: { _, _, _ in })
        defer { server.stop() }
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        let id = client.connectionID
        #expect(server.waitUntil { $0.opened[id] != nil })
        let paused = Atomic<Bool>(true)
        server.perform { _ in while paused.load(ordering: .acquiring) { try? Sys.sleep(for: .milliseconds(1)) } }
        var sent = 0
        for length in [64, 24, 0] {  // down to records of 8 bytes: not even an empty close record fits
            let frame = [UInt8](repeating: 1, count: length)
            while try frame.withUnsafeBytes({ try client.send($0) }) == .sent { sent += 1 }
        }
        let occupied = client.outbound.occupiedBytes
        client.close()  // no room for the close record: the state word carries the close
        #expect(client.outbound.occupiedBytes == occupied)
        #expect(client.block.state == .closedByClient)
        paused.store(false, ordering: .releasing)
        #expect(server.waitUntil { $0.closed[id] == .peerClosed })
        #expect(server.log.withLock { $0.frames[id] } == sent)
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
    }
}

extension SharedMemoryHandshakeTests {
    @Test("a handler that shuts the server down in the middle of a poll: every client is told, nothing traps, nothing is left")
    func shutdownInsidePoll() throws {
        let name = ShmTest.uniqueName("inpoll")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name)) { _, _, carrier in carrier.shutdown() }
        defer { server.stop() }
        let clients = try (0..<3).map { _ in try SharedMemoryClientCarrier(configuration: .init(name: name)) }
        #expect(server.waitUntil { $0.opened.count == 3 })
        // The first frame to arrive shuts the server down; later sends may already find it closed.
        for client in clients { _ = try? [UInt8]([1]).withUnsafeBytes { try client.send($0) } }
        #expect(server.waitUntil { log in log.closed.count == 3 && log.closed.values.allSatisfy { $0 == .shutdown } })
        for client in clients {
            #expect(throws: TransportError.self) {
                let deadline = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < deadline {
                    if try client.receive(limit: 8, { _ in }) == 0 { try client.waitForWork(timeout: .milliseconds(10)) }
                }
            }
            client.close()
        }
        #expect(ShmTest.leftovers(name).isEmpty)
    }
}
