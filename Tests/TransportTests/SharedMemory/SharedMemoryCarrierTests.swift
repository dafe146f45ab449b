import Glibc
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Transport
@testable import transport_peer

/// The shared-memory carrier within one process: a ``TestServer`` loop on a thread plays the
/// server, the test thread plays the clients.
@Suite("Shared-memory carrier")
struct SharedMemoryCarrierTests {
    /// `count` copies of a text frame: `"frame N"`.
    private static func text(_ index: Int) -> [UInt8] { Array("frame \(index)".utf8) }

    /// Sends a frame, waiting while the ring is full (bounded by the test's deadline).
    private static func send(_ client: SharedMemoryClientCarrier, _ bytes: [UInt8]) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try bytes.withUnsafeBytes({ try client.send($0) }) == .wouldBlock {
            guard ContinuousClock.now < deadline else { throw TransportError.timedOut("send") }
            try client.waitForWork(timeout: .milliseconds(10))
        }
    }

    /// Receives `count` frames, waiting up to 10 s.
    private static func receive(_ client: SharedMemoryClientCarrier, count: Int) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while frames.count < count {
            guard ContinuousClock.now < deadline else { throw TransportError.timedOut("receive") }
            if try client.receive(limit: count - frames.count, { frames.append(Array($0)) }) == 0 {
                try client.waitForWork(timeout: .milliseconds(10))
            }
        }
        return frames
    }

    /// The mode bits of `/dev/shm/NAME`.
    private static func mode(_ segment: String) -> mode_t? {
        var info = stat()
        guard stat(Sys.sharedMemoryDirectory + segment, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test("connect, exchange frames both ways, close: the server sees it all and nothing is left in /dev/shm")
    func connectExchangeClose() throws {
        let name = ShmTest.uniqueName("basic")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        #expect(client.maxFrameLength == 16 * 1024 / 8)
        #expect(server.waitUntil { $0.opened[client.connectionID] == "pid \(getpid())" })
        #expect(Set(ShmTest.leftovers(name)) == ["/\(name)-ctl", client.channelName])
        #expect(Self.mode("/\(name)-ctl") == 0o600)
        #expect(Self.mode(client.channelName) == 0o600)

        for index in 0..<100 { try Self.send(client, Self.text(index)) }
        let echoed = try Self.receive(client, count: 100)
        #expect(echoed == (0..<100).map(Self.text))
        #expect(server.waitUntil { $0.frames[client.connectionID] == 100 })

        client.close()
        #expect(server.waitUntil { $0.closed[client.connectionID] == .peerClosed })
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
        #expect(throws: TransportError.closed) { try Self.text(0).withUnsafeBytes { try client.send($0) } }
        #expect(throws: TransportError.closed) { try client.receive(limit: 1) { _ in } }
        server.stop()
        #expect(ShmTest.leftovers(name).isEmpty)
    }

    @Test("no server under the name: serverNotFound; a second server under a live name is refused")
    func serverNotFoundAndNameTaken() throws {
        let name = ShmTest.uniqueName("absent")
        defer { ShmTest.removeAll(name) }
        #expect {
            try SharedMemoryClientCarrier(configuration: .init(name: name))
        } throws: { error in
            guard case TransportError.serverNotFound(let why) = error else { return false }
            return why.contains(name)
        }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        #expect {
            try SharedMemoryServerCarrier(configuration: ShmTest.server(name))
        } throws: { error in
            guard case TransportError.invalidArgument(let why) = error else { return false }
            return why.contains("already running")
        }
        #expect(throws: TransportError.self) { try SharedMemoryServerCarrier(configuration: .init(name: "a/b")) }
        #expect(throws: TransportError.self) { try SharedMemoryServerCarrier(configuration: .init(name: name, clientToServerCapacity: 1000)) }
    }

    @Test("a full server refuses with its reason; the refused client leaves no segment")
    func refusedWhenFull() throws {
        let name = ShmTest.uniqueName("full")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name, maxClients: 1))
        defer { server.stop() }
        let first = try SharedMemoryClientCarrier(configuration: .init(name: name))
        #expect {
            try SharedMemoryClientCarrier(configuration: .init(name: name))
        } throws: { error in
            guard case TransportError.refused(let why) = error else { return false }
            return why.contains("full")
        }
        #expect(ShmTest.leftovers(name).sorted() == ["/\(name)-ctl", first.channelName].sorted())
        first.close()
        #expect(server.waitUntil { $0.closed.count == 1 })
        let second = try SharedMemoryClientCarrier(configuration: .init(name: name))
        second.close()
    }

    @Test("64 clients at once, each exchanging frames, all closed cleanly")
    func sixtyFourClients() throws {
        let name = ShmTest.uniqueName("many")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name, maxClients: 64, capacity: 4096))
        defer { server.stop() }
        let clients = try (0..<64).map { _ in try SharedMemoryClientCarrier(configuration: .init(name: name)) }
        #expect(Set(clients.map(\.connectionID)).count == 64)
        #expect(server.waitUntil { $0.opened.count == 64 })
        for round in 0..<5 {
            for (index, client) in clients.enumerated() { try Self.send(client, Self.text(index * 10 + round)) }
        }
        for (index, client) in clients.enumerated() {
            #expect(try Self.receive(client, count: 5) == (0..<5).map { Self.text(index * 10 + $0) })
        }
        for client in clients { client.close() }
        #expect(server.waitUntil { log in log.closed.count == 64 && log.closed.values.allSatisfy { $0 == .peerClosed } })
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
    }

    @Test("the server closes a connection: frames sent before arrive first, then serverGone with the reason")
    func serverCloses() throws {
        let name = ShmTest.uniqueName("srvclose")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        let id = client.connectionID
        #expect(server.waitUntil { $0.opened[id] != nil })
        server.perform { carrier in
            for index in 0..<3 { _ = Self.text(index).withUnsafeBytes { carrier.send($0, to: id) } }
            carrier.flush()
            carrier.close(id)
            #expect(Self.text(9).withUnsafeBytes { carrier.send($0, to: id) } == .closed)
        }
        var frames: [[UInt8]] = []
        var failure: TransportError?
        let deadline = ContinuousClock.now + .seconds(10)
        while failure == nil && ContinuousClock.now < deadline {
            do {
                if try client.receive(limit: 8, { frames.append(Array($0)) }) == 0 { try client.waitForWork(timeout: .milliseconds(10)) }
            } catch {
                failure = error
            }
        }
        #expect(frames == (0..<3).map(Self.text))
        guard case .serverGone(let why)? = failure else {
            Issue.record("expected serverGone after the frames, got \(String(describing: failure))")
            return
        }
        #expect(why.contains("closed by the server"))
        #expect(throws: TransportError.self) { try Self.text(0).withUnsafeBytes { try client.send($0) } }
        #expect(server.waitUntil { $0.closed[id] == .closedLocally })
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
        client.close()
    }

    @Test("a full ring answers wouldBlock; the client sleeping on it wakes when the server drains it")
    func backPressure() throws {
        let name = ShmTest.uniqueName("full-ring")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name, capacity: 4096), onFrame: { _, _, _ in })
        defer { server.stop() }
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        #expect(server.waitUntil { $0.opened.count == 1 })
        let paused = Atomic<Bool>(true)
        server.perform { _ in while paused.load(ordering: .acquiring) { try? Sys.sleep(for: .milliseconds(1)) } }
        let frame = [UInt8](repeating: 7, count: client.maxFrameLength)
        #expect(throws: TransportError.self) { try (frame + [0]).withUnsafeBytes { try client.send($0) } }
        var sent = 0
        while try frame.withUnsafeBytes({ try client.send($0) }) == .sent { sent += 1 }
        #expect(sent >= 4 && sent <= 8)
        paused.store(false, ordering: .releasing)
        let deadline = ContinuousClock.now + .seconds(5)
        while try frame.withUnsafeBytes({ try client.send($0) }) == .wouldBlock {
            #expect(ContinuousClock.now < deadline)
            if ContinuousClock.now > deadline { break }
            try client.waitForWork(timeout: .milliseconds(100))
        }
        #expect(server.waitUntil { $0.frames[client.connectionID] == sent + 1 })
        client.close()
    }

    @Test("hostile connect records are rejected, each with its field named; the server accepts the next real client")
    func hostileConnectRecords() throws {
        let name = ShmTest.uniqueName("hostile")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let segment = try SharedMemorySegment.open(name: "/\(name)-ctl")
        let ring = try ManyToOneRing(segment: segment, region: 1)
        let names = try SharedMemoryNames(server: name)
        let me = try #require(ProcessIdentity.current())
        func request(_ identity: ProcessIdentity, _ channel: String) -> [UInt8] {
            let value = ConnectRequest(client: identity, channel: channel)
            var bytes = [UInt8](repeating: 0, count: value.encodedLength)
            bytes.withUnsafeMutableBytes { value.encode(into: $0) }
            return bytes
        }
        let valid = request(me, names.channel(pid: me.pid, sequence: 999_999))
        var versionTwo = valid
        versionTwo[0] = 2
        var longName = valid
        longName[2] = 0xFF
        let hostile: [(Int32, [UInt8])] = [
            (7, valid),                                          // not a connect record
            (1, []),                                             // empty
            (1, Array(valid.prefix(15))),                        // shorter than the header
            (1, versionTwo),                                     // another request version
            (1, longName),                                       // a name longer than the record
            (1, valid + [0]),                                    // trailing bytes
            (1, request(me, "/\(name)-ctl")),                    // not a channel of this server
            (1, request(me, "/other-ch-1-1")),                   // another server's channel
            (1, request(ProcessIdentity(pid: 0x7FFF_FFF0, startTime: 1), names.channel(pid: 1, sequence: 1))),  // no such process
            (1, request(ProcessIdentity(pid: me.pid, startTime: me.startTime &+ 1), names.channel(pid: me.pid, sequence: 999_999))),  // pid reused
            (1, valid),                                          // no such segment
            (1, [UInt8](repeating: 0xFF, count: 64)),            // noise
        ]
        for (type, bytes) in hostile {
            #expect(try bytes.withUnsafeBytes { try ring.write(type: type, bytes: $0) } == .written)
        }
        server.doorbell.ring()
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        let rejected = Mutex<(UInt64, String?)>((0, nil))
        server.perform { carrier in rejected.withLock { $0 = (carrier.rejectedConnectCount, carrier.lastRejection) } }
        #expect(ShmTest.eventually(within: .seconds(5)) { rejected.withLock { $0.0 } == UInt64(hostile.count) })
        #expect(server.waitUntil { $0.opened[client.connectionID] != nil })
        client.close()
    }

    @Test("a hostile record type on a channel is reported malformed for that connection only")
    func hostileChannelRecord() throws {
        let name = ShmTest.uniqueName("badrecord")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let bad = try SharedMemoryClientCarrier(configuration: .init(name: name))
        let good = try SharedMemoryClientCarrier(configuration: .init(name: name))
        #expect(try [1, 2, 3].withUnsafeBytes { try bad.outbound.write(type: 9, bytes: $0) } == .written)
        bad.serverDoorbell.ring()
        #expect(server.waitUntil { $0.malformed[bad.connectionID]?.contains("record type 9") == true })
        #expect(server.waitUntil { $0.closed[bad.connectionID] == .closedLocally })
        try Self.send(good, Self.text(1))
        #expect(try Self.receive(good, count: 1) == [Self.text(1)])
        #expect(throws: TransportError.self) {
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                _ = try bad.receive(limit: 1) { _ in }
                try bad.waitForWork(timeout: .milliseconds(10))
            }
        }
        bad.close()
        good.close()
    }

    /// The doorbell's wake-up, told from the timers a sleeper would otherwise fall back on (the
    /// server's 1 ms backlog nap, the 100 ms sleep bound): the median must stay well under a
    /// millisecond. The issue's 50 µs figure is a speed, measured on a quiet machine (about 30 µs
    /// here) but 120 µs and more when a vCPU wakes from deep idle, so it is printed, not asserted.
    @Test("a sleeping server and a sleeping client are woken by the peer's frame, not by a timer (median under 250 µs)")
    func wakeUpAfterSleep() throws {
        let name = ShmTest.uniqueName("wake")
        defer { ShmTest.removeAll(name) }
        let latencies = Mutex<[Int64]>([])
        let server = try TestServer(ShmTest.server(name)) { id, bytes, carrier in
            let sent = bytes.loadUnaligned(as: Int64.self)
            latencies.withLock { $0.append(Sys.monotonicNanoseconds() - sent) }
            _ = carrier.send(bytes, to: id)
        }
        defer { server.stop() }
        let client = try SharedMemoryClientCarrier(configuration: .init(name: name))
        var clientLatencies: [Int64] = []
        let rounds = 40
        for _ in 0..<rounds {
            #expect(ShmTest.eventually(within: .seconds(2)) { server.doorbell.hasSleeper })
            var stamp = Sys.monotonicNanoseconds()
            _ = try withUnsafeBytes(of: &stamp) { try client.send($0) }
            // The client sleeps; the echo wakes it.
            var received: Int64 = 0
            while received == 0 {
                if try client.receive(limit: 1, { _ in received = Sys.monotonicNanoseconds() }) == 0 {
                    try client.waitForWork(timeout: .seconds(1))
                }
            }
            let serverSide = latencies.withLock { $0.last ?? 0 }
            clientLatencies.append(received - stamp - serverSide)
            try? Sys.sleep(for: .milliseconds(2))
        }
        let serverSorted = latencies.withLock { $0.sorted() }
        let clientSorted = clientLatencies.sorted()
        #expect(serverSorted.count == rounds)
        print("shm wake-up: server median \(serverSorted[rounds / 2] / 1000) µs, max \(serverSorted.last! / 1000) µs; client median \(clientSorted[rounds / 2] / 1000) µs")
        #expect(serverSorted.last! < 100_000_000)   // woken by the doorbell, not by the 100 ms timeout... at worst once
        #expect(serverSorted[rounds / 2] < 250_000)
        #expect(clientSorted[rounds / 2] < 250_000)
        client.close()
    }
}
