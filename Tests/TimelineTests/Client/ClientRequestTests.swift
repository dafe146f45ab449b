import Foundation
import Frames
import LWWSet
import Testing
import Timeline
import Transport

/// `TimelineClient`'s calls against an in-process server, over every carrier and in both
/// encodings: the same calls give the same answers.
@Suite("TimelineClient requests")
struct ClientRequestTests {
    static let cases: [(TestCarrier, TimelineEncoding)] = TestCarrier.allCases.flatMap { carrier in
        TimelineEncoding.allCases.map { (carrier, $0) }
    }

    @Test("writes acknowledged and fire-and-forget, selects with offset and limit", arguments: cases)
    func writesAndSelects(carrier: TestCarrier, encoding: TimelineEncoding) throws {
        let server = try ClientTestServer("rw")
        defer { server.stop() }
        let client = try server.client(carrier, TimelineClientConfiguration(encoding: encoding))
        defer { client.close() }
        try client.insert(key: "t".utf8, score: 1, member: "a".utf8)
        try client.insert(key: "t".utf8, score: 3, member: "c".utf8, delivery: .fireAndForget)
        try client.insert(key: "t".utf8, score: 2, member: bytes("b"), delivery: .fireAndForget)
        // Requests of one connection apply in order: the select sees the fire-and-forget writes.
        #expect(try client.select(key: "t".utf8) == [
            TimelineEntry(member: "c", score: 3), TimelineEntry(member: "b", score: 2), TimelineEntry(member: "a", score: 1),
        ])
        #expect(try client.select(key: "t".utf8, offset: 1, limit: 1) == [TimelineEntry(member: "b", score: 2)])
        #expect(try client.select(key: "t".utf8, offset: 5, limit: 10) == [])
        #expect(try client.select(key: "nobody".utf8) == [])
        // A delete at a higher score hides the member; one at a lower score is ignored.
        try client.delete(key: "t".utf8, score: 4, member: "c".utf8)
        try client.delete(key: "t".utf8, score: 0.5, member: "a".utf8, delivery: .fireAndForget)
        #expect(try client.select(key: "t".utf8, offset: 0, limit: 0).map(\.description) == ["b:2", "a:1"])
        #expect(client.failure == nil)
    }

    @Test("a fire-and-forget write longer than one frame goes out in fragments, whole", arguments: TestCarrier.allCases)
    func fireAndForgetPastOneFrame(carrier: TestCarrier) throws {
        let server = try ClientTestServer("ff")
        defer { server.stop() }
        let client = try server.client(carrier)
        defer { client.close() }
        // 14 + 1 + 65,535 bytes of message: past the 64 KiB frame, with its 6-byte header.
        let member = (0 ..< LWWSet.maximumMemberLength).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try client.insert(key: "f".utf8, score: 1, member: member, delivery: .fireAndForget)
        try client.insert(key: "f".utf8, score: 2, member: "small".utf8, delivery: .fireAndForget)
        #expect(try client.select(key: "f".utf8) == [TimelineEntry(member: bytes("small"), score: 2), TimelineEntry(member: member, score: 1)])
        #expect(client.failure == nil)
    }

    @Test("batches, several keys and range pages", arguments: cases)
    func batchesKeysAndRanges(carrier: TestCarrier, encoding: TimelineEncoding) throws {
        let server = try ClientTestServer("bk")
        defer { server.stop() }
        let client = try server.client(carrier, TimelineClientConfiguration(encoding: encoding))
        defer { client.close() }
        let writes = (0 ..< 25).map { KeyScoreMember(key: "k\($0 % 3)", score: Double($0), member: "m\($0)") }
        try client.write(.insert, batch: writes)
        try client.write(.delete, batch: [KeyScoreMember(key: "k0", score: 100, member: "m0")], delivery: .fireAndForget)
        let results = try client.select(keys: [bytes("k0"), bytes("k1"), bytes("none")], offset: 0, limit: 2)
        #expect(results == [
            TimelineKeyEntries(key: bytes("k0"), entries: [TimelineEntry(member: "m24", score: 24), TimelineEntry(member: "m21", score: 21)]),
            TimelineKeyEntries(key: bytes("k1"), entries: [TimelineEntry(member: "m22", score: 22), TimelineEntry(member: "m19", score: 19)]),
            TimelineKeyEntries(key: bytes("none"), entries: []),
        ])
        // Paging k1 (scores 1, 4, ..., 22) three at a time with the last entry as the cursor.
        var pages: [[Double]] = []
        var after: TimelineEntry?
        repeat {
            let page = try client.range(key: "k1".utf8, after: after, limit: 3)
            pages.append(page.map(\.score))
            after = page.last
        } while after != nil
        #expect(pages == [[22, 19, 16], [13, 10, 7], [4, 1], []])
        let bounded = try client.range(
            key: "k1".utf8, after: TimelineEntry(member: "m19", score: 19), before: TimelineEntry(member: "m7", score: 7), limit: 10)
        #expect(bounded.map(\.score) == [16, 13, 10])
        // k0 lost m0 to the delete; 9 entries were inserted.
        #expect(try client.select(key: "k0".utf8, offset: 0, limit: 0).count == 8)
    }

    @Test("requests the encoding cannot carry fail locally, before anything is sent", arguments: TimelineEncoding.allCases)
    func invalidRequests(encoding: TimelineEncoding) throws {
        let server = try ClientTestServer("bad")
        defer { server.stop() }
        let client = try server.client(.loopback, TimelineClientConfiguration(encoding: encoding))
        defer { client.close() }
        #expect(throws: TimelineClientError.self) { try client.insert(key: "k".utf8, score: .nan, member: "m".utf8) }
        #expect(throws: TimelineClientError.self) { try client.insert(key: "k".utf8, score: .infinity, member: "m".utf8) }
        let long = [UInt8](repeating: 0x61, count: 70_000)
        #expect(throws: TimelineClientError.self) { try client.insert(key: long, score: 1, member: "m".utf8) }
        #expect(throws: TimelineClientError.self) { _ = try client.select(key: "k".utf8, offset: -1, limit: 1) }
        if encoding == .json {
            let error = #expect(throws: TimelineClientError.self) { try client.insert(key: "k".utf8, score: 1, member: [0xff, 0xfe]) }
            #expect(error?.description.contains("member is not UTF-8") == true)
        }
        // The connection is untouched.
        try client.insert(key: "k".utf8, score: 1, member: "m".utf8)
        #expect(try client.select(key: "k".utf8) == [TimelineEntry(member: "m", score: 1)])
    }

    @Test("connection failures are typed: no server, server gone, closed")
    func connectionErrors() throws {
        let absent = TestNames.unique("absent")
        #expect(throws: TimelineClientError.self) { _ = try TimelineClient(connectingTo: .sharedMemory(name: absent)) }
        do {
            _ = try TimelineClient(connectingTo: .sharedMemory(name: absent))
        } catch {
            guard case .serverNotFound = error else { Issue.record("expected serverNotFound, got \(error)"); return }
        }
        let server = try ClientTestServer("gone")
        let port = server.server.tcpAddress!.port
        let shm = try server.client(.sharedMemory)
        let tcp = try server.client(.tcp)
        try shm.insert(key: "k".utf8, score: 1, member: "m".utf8)
        try tcp.insert(key: "k".utf8, score: 2, member: "m".utf8)
        server.stop()
        for client in [shm, tcp] {
            let error = #expect(throws: TimelineClientError.self) {
                for _ in 0 ..< 50 {
                    _ = try client.select(key: "k".utf8)
                    usleep(20_000)
                }
            }
            switch error {
            case .serverGone?, .closed?, .timedOut?: break
            default: Issue.record("expected the server gone, got \(String(describing: error))")
            }
        }
        do {
            _ = try TimelineClient(connectingTo: .tcp(host: "127.0.0.1", port: port))
            Issue.record("connected to a stopped server")
        } catch {
            guard case .serverNotFound = error else { Issue.record("expected serverNotFound, got \(error)"); return }
        }
        let closing = try ClientTestServer("closed")
        defer { closing.stop() }
        let client = try closing.client(.loopback)
        client.close()
        #expect(throws: TimelineClientError.closed) { try client.insert(key: "k".utf8, score: 1, member: "m".utf8) }
    }

    @Test("the endpoint parses --tcp text")
    func endpointText() throws {
        #expect(try TimelineEndpoint.tcp(parsing: "127.0.0.1:5555") == .tcp(host: "127.0.0.1", port: 5555))
        #expect(try TimelineEndpoint.tcp(parsing: "[::1]:80") == .tcp(host: "::1", port: 80))
        #expect(TimelineEndpoint.tcp(host: "::1", port: 80).description == "tcp [::1]:80")
        #expect(throws: TimelineClientError.self) { try TimelineEndpoint.tcp(parsing: "127.0.0.1") }
        #expect(throws: TimelineClientError.self) { try TimelineEndpoint.tcp(parsing: "127.0.0.1:0") }
    }
}
