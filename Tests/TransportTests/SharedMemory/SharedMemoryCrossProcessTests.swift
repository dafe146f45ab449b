import Foundation
import Glibc
import Harness
import Posix
import ShmRing
import Testing
@testable import Transport
@testable import transport_peer

/// The shared-memory carrier across real processes (`transport-peer`): producers, clients and
/// servers killed with SIGKILL, stale segments, idle CPU. Serialized: each test keeps the two
/// cores busy with its own processes.
@Suite("Shared-memory carrier across processes", .serialized)
struct SharedMemoryCrossProcessTests {
    @Test("4 producer processes of 100,000 frames each: all received, in order per producer")
    func fourProducers() throws {
        let name = ShmTest.uniqueName("producers")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name, capacity: 64 * 1024), onFrame: { _, _, _ in })
        defer { server.stop() }
        let each = 100_000
        let producers = try (0..<4).map { id in try ShmTest.peer(["produce", name, "\(id)", "\(each)", "24"]) }
        defer { producers.forEach { $0.kill() } }
        #expect(server.waitUntil(within: .seconds(60)) { log in
            (0..<4).allSatisfy { log.next[UInt32($0)] == UInt64(each) } && log.closed.count == 4
        })
        server.log.withLock { log in
            #expect(log.faults == 0)
            #expect(log.frames.values.sorted() == [each, each, each, each])
            #expect(log.closed.values.allSatisfy { $0 == .peerClosed })
        }
        for producer in producers { #expect(producer.wait(deadline: .now + .seconds(10)) == .exited(0)) }
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
    }

    @Test("a client killed with SIGKILL mid-stream: peerDied within 1 s, its segment unlinked, the others go on")
    func clientKilled() throws {
        let name = ShmTest.uniqueName("killclient")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name, capacity: 16 * 1024), onFrame: { _, _, _ in })
        defer { server.stop() }
        let peers = try (0..<3).map { id in try ShmTest.peer(["produce", name, "\(id)", "-1", "32"]) }
        defer { peers.forEach { $0.kill() } }
        #expect(server.waitUntil { log in log.opened.count == 3 && log.frames.values.allSatisfy { $0 > 1_000 } && log.frames.count == 3 })
        let ids = server.log.withLock { log in
            Dictionary(uniqueKeysWithValues: log.opened.map { id, peer in (peer, id) })
        }
        let victim = try #require(ids["pid \(peers[0].pid)"])
        let channel = "/\(name)-ch-\(peers[0].pid)-0"
        #expect(ShmTest.leftovers(name).contains(channel))
        let killedAt = ContinuousClock.now
        peers[0].kill()
        #expect(server.waitUntil(within: .seconds(1)) { $0.closed[victim] != nil })
        let detected = ContinuousClock.now - killedAt
        print("shm client SIGKILL detected after \(detected)")
        #expect(detected < .seconds(1))
        guard case .peerDied(let why)? = server.log.withLock({ $0.closed[victim] }) else {
            Issue.record("the killed client's connection did not end with peerDied")
            return
        }
        #expect(why.contains("\(peers[0].pid)"))
        #expect(!ShmTest.leftovers(name).contains(channel))
        let before = server.log.withLock { log in ids.values.filter { $0 != victim }.map { log.frames[$0] ?? 0 } }
        #expect(server.waitUntil { log in
            zip(ids.values.filter { $0 != victim }, before).allSatisfy { (log.frames[$0.0] ?? 0) > $0.1 + 1_000 }
        })
        #expect(server.log.withLock { $0.faults } == 0)
        #expect(server.log.withLock { $0.closed.count } == 1)
    }

    @Test("a server killed with SIGKILL: the client gets serverGone within 1 s, never a hang")
    func serverKilled() throws {
        let name = ShmTest.uniqueName("killserver")
        defer { ShmTest.removeAll(name) }
        let peer = try ShmTest.peer(["serve", name])
        defer { peer.kill() }
        let client = try ShmTest.connect(name)
        defer { client.close() }
        #expect(try [UInt8]([1, 2, 3]).withUnsafeBytes { try client.send($0) } == .sent)
        var echoed: [[UInt8]] = []
        #expect(ShmTest.eventually(within: .seconds(5)) {
            (try? client.receive(limit: 1) { echoed.append(Array($0)) }) != nil && !echoed.isEmpty
        })
        #expect(echoed == [[1, 2, 3]])
        let killedAt = ContinuousClock.now
        peer.kill()
        var failure: TransportError?
        while failure == nil && ContinuousClock.now - killedAt < .seconds(5) {
            do {
                if try client.receive(limit: 8, { _ in }) == 0 { try client.waitForWork(timeout: .seconds(10)) }
            } catch {
                failure = error
            }
        }
        let detected = ContinuousClock.now - killedAt
        print("shm server SIGKILL detected by the client after \(detected): \(failure.map { "\($0)" } ?? "nothing")")
        #expect(detected < .seconds(1))
        guard case .serverGone(let why)? = failure else {
            Issue.record("expected serverGone, got \(String(describing: failure))")
            return
        }
        #expect(why.contains("\(peer.pid)"))
        #expect(throws: TransportError.self) { try [UInt8]([1]).withUnsafeBytes { try client.send($0) } }
        client.close()
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])  // the dead server's, for the next one
    }

    @Test("the next server under the name reclaims a dead server's control segment and its dead clients' channels")
    func staleSegmentsReclaimed() throws {
        let name = ShmTest.uniqueName("stale")
        defer { ShmTest.removeAll(name) }
        let oldServer = try ShmTest.peer(["serve", name])
        defer { oldServer.kill() }
        let holder = try ShmTest.peer(["hold", name])
        defer { holder.kill() }
        let channel = "/\(name)-ch-\(holder.pid)-0"
        #expect(ShmTest.eventually(within: .seconds(10)) { Self.isAccepted(channel) })
        oldServer.kill()
        holder.kill()
        #expect(Set(ShmTest.leftovers(name)) == ["/\(name)-ctl", channel])
        #expect {
            try SharedMemoryClientCarrier(configuration: .init(name: name))
        } throws: { error in
            guard case TransportError.serverNotFound(let why) = error else { return false }
            return why.contains("not running")
        }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        #expect(server.waitUntil { $0.opened[client.connectionID] != nil })
        client.close()
        server.stop()
        #expect(ShmTest.leftovers(name).isEmpty)
    }

    @Test("a channel segment whose client died before writing its header is reclaimed by the pid in its name")
    func halfMadeChannelReclaimed() throws {
        let name = ShmTest.uniqueName("halfmade")
        defer { ShmTest.removeAll(name) }
        let gone = try ShmTest.peer(["no-such-role", name])
        #expect(gone.wait(deadline: .now + .seconds(10)) == .exited(2))
        let halfMade = "/\(name)-ch-\(gone.pid)-0"
        let descriptor = shm_open(halfMade, O_RDWR | O_CREAT | O_EXCL, 0o600)
        #expect(descriptor >= 0)
        close(descriptor)
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
    }

    @Test("a client killed while holding a claim in the connect ring: the server unblocks it and later clients connect")
    func deadClaimInConnectRing() throws {
        let name = ShmTest.uniqueName("deadclaim")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let claimer = try ShmTest.peer(["claim-connect", name])
        defer { claimer.kill() }
        #expect(claimer.waitUntilStopped())
        claimer.kill()
        let started = ContinuousClock.now
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name, connectTimeout: .seconds(3)))
        print("shm connect behind a dead claim took \(ContinuousClock.now - started)")
        #expect(server.waitUntil { $0.opened[client.connectionID] != nil })
        client.close()
    }

    /// Whether the channel segment `name` exists and its server accepted it.
    private static func isAccepted(_ name: String) -> Bool {
        guard let segment = try? SharedMemorySegment.open(name: name),
              let base = segment.unsafeRegionBytes(0)?.baseAddress else { return false }
        return ChannelBlock(unsafeBase: base).state == .accepted
    }

    @Test("an idle server with a connected client uses under 2% of one core (/proc/self/stat over 2 s)")
    func idleServerCPU() throws {
        let name = ShmTest.uniqueName("idle")
        defer { ShmTest.removeAll(name) }
        let result = "/tmp/\(name).cpu"
        defer { unlink(result) }
        let seconds = 2
        let peer = try ShmTest.peer(["idle-server", name, "\(seconds)", result])
        defer { peer.kill() }
        let client = try ShmTest.connect(name)
        defer { client.close() }
        #expect(peer.wait(deadline: .now + .seconds(15)) == .exited(0))
        let fields = try String(contentsOfFile: result, encoding: .utf8).split(separator: " ")
        let ticks = try #require(Double(fields.first ?? ""))
        let perSecond = try #require(Double(fields.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        let share = ticks / perSecond / Double(seconds)
        print("shm idle server: \(ticks) ticks of 1/\(perSecond) s over \(seconds) s = \(share * 100)% of one core")
        #expect(share < 0.02)
    }
}
