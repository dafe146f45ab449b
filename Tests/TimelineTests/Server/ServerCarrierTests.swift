import Foundation
import Frames
import Testing
import Timeline
import Transport

/// The timeline server in this process over its real carriers, shared memory and TCP at
/// once, through the Transport `Connection` API.
@Suite("Timeline server over shared memory and TCP")
struct ServerCarrierTests {
    @Test("shm and TCP clients share one set; a tail on one sees writes from the other; stat lists both")
    func bothCarriers() async throws {
        let name = serverName("both")
        defer { removeSegments(of: name) }
        let server = try TimelineServer(configuration: TimelineServerConfiguration(name: name, tcp: .loopbackIPv4(port: 0)))
        let address = try #require(server.tcpAddress)
        #expect(address.port != 0)
        let shm = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
        let tcp = try TimelineCaller(try TCPClientCarrier(connectingTo: address), .json)
        let shmTail = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .json, window: 4)
        let stream = try shmTail.tail("k")
        _ = try shmTail.call(.select(key: "k", offset: 0, limit: 1))   // the tail has started
        #expect(try shm.call(.insert(key: "k", score: 1, member: "from-shm")) == .ok)
        #expect(try tcp.call(.insert(key: "k", score: 2, member: "from-tcp")) == .ok)
        #expect(try tcp.call(.select(key: "k", offset: 0, limit: 10)) == .records([record("from-tcp", 2), record("from-shm", 1)]))
        #expect(try shm.call(.select(key: "k", offset: 0, limit: 10)) == .records([record("from-tcp", 2), record("from-shm", 1)]))
        let malformed = try tcp.rejection(Array(#"{"op":"select","key":"k","limit":-1}"#.utf8))
        #expect(malformed.code == 0x204)
        #expect(try tcp.call(.insert(key: "k", score: 3, member: "after-error")) == .ok)
        let received = try await events(stream, 3, codec: shmTail.codec)
        #expect(received == [
            .insert(key: "k", score: 1, member: "from-shm"), .insert(key: "k", score: 2, member: "from-tcp"),
            .insert(key: "k", score: 3, member: "after-error"),
        ])
        let stat = try statAfterRefresh(name)
        #expect(stat.pid == getpid())
        #expect(stat.connections.filter { $0.carrier == "shm" }.count == 2)
        #expect(stat.connections.filter { $0.carrier == "tcp" }.count == 1)
        #expect(stat.connections.first { $0.carrier == "shm" }?.clientPid == getpid())
        #expect(stat.connections.first { $0.carrier == "tcp" }?.encoding == "json")
        #expect(stat[.inserts] == 3)
        #expect(stat[.invalidRequests] == 1)
        #expect(stat[.tailEventsSent] == 3)
        #expect(stat.segments.contains("/\(name)-ctl"))
        try server.stop()
        #expect(segments(of: name).isEmpty, "left: \(segments(of: name))")
        #expect(throws: StatSegmentReader.Failure.notRunning(name: name)) { try StatSegmentReader.read(server: name) }
    }

    @Test("a second server under a live server's name is refused")
    func nameTaken() throws {
        let name = serverName("taken")
        defer { removeSegments(of: name) }
        let server = try TimelineServer(configuration: TimelineServerConfiguration(name: name))
        #expect(throws: TimelineServerError.self) { try TimelineServer(configuration: TimelineServerConfiguration(name: name)) }
        let client = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
        #expect(try client.call(.insert(key: "k", score: 1, member: "a")) == .ok)
        try server.stop()
    }

    @Test("an idle server's stat segment counts every request answered before it slept, not up to 100 ms late")
    func statExactWhenIdle() throws {
        let name = serverName("idle-stat")
        defer { removeSegments(of: name) }
        let server = try TimelineServer(configuration: TimelineServerConfiguration(name: name))
        let client = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
        for round in 1 ... 5 {
            #expect(try client.call(.insert(key: "k", score: Double(round), member: "m\(round)")) == .ok)
            // The next sleep counted after this read: the poll thread refreshes the segment
            // just before it counts one, and had it done so before running the request, it
            // would have counted that sleep before the answer too. An idle server sleeps
            // within about a millisecond; the 100 ms refresh alone would rarely have run yet.
            let sleeps = server.transportCounters.doorbellSleeps
            let deadline = ContinuousClock.now + .seconds(10)
            while server.transportCounters.doorbellSleeps <= sleeps && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.0002)
            }
            #expect(server.transportCounters.doorbellSleeps > sleeps, "the server never went idle")
            let stat = try StatSegmentReader.read(server: name)
            #expect(stat[.inserts] == UInt64(round), "round \(round)")
            #expect(stat[.writesApplied] == UInt64(round), "round \(round)")
            // The set's counts too, not only once a second.
            #expect(stat[.setEntries] == UInt64(round), "round \(round)")
            #expect(stat[.setKeys] == 1, "round \(round)")
        }
        try server.stop()
    }
}
