import Dispatch
import Synchronization
import Testing
@testable import Transport

/// How the shared-memory server carrier shares its polls among channels with work.
@Suite("Shared-memory carrier: fairness")
struct SharedMemoryFairnessTests {
    @Test("polls take turns among the channels with frames: an empty channel's turn does not go to the one behind it")
    func pollsTakeTurns() throws {
        // Two busy clients and an idle one, in every order the table may hold them: the
        // busy channel right behind the idle one used to get two turns in three.
        let polls = 6
        let limit = 8
        let senders = try Self.pollWhileHeld("fair", clients: 3, polls: polls, limit: limit) { (clients) throws in
            let frame = Array("busy".utf8)
            for client in clients.prefix(2) {
                for _ in 0 ..< polls * limit {
                    #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent)
                }
            }
        }
        let busy = senders.ids.prefix(2).map { id in senders.polls.joined().filter { $0 == id }.count }
        #expect(busy[0] + busy[1] == polls * limit)
        #expect(busy[0] == busy[1], "the busy channels got \(busy[0]) and \(busy[1]) frames in \(polls) polls of \(limit)")
    }

    @Test("a poll ends at the first channel with frames, and the next one starts behind it")
    func pollEndsAtFirstChannelWithFrames() throws {
        let senders = try Self.pollWhileHeld("first", clients: 2, polls: 2, limit: 8) { (clients) throws in
            let frame = Array("one".utf8)
            for client in clients {
                #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent)
            }
        }
        #expect(senders.polls.count == 2)
        #expect(senders.polls.allSatisfy { $0.count == 1 }, "each poll delivers one channel's frame: \(senders.polls)")
        #expect(Set(senders.polls.joined()) == Set(senders.ids), "the second poll reads the other channel: \(senders.polls)")
    }

    /// Connects `clients` clients to a fresh server, holds its loop thread while `fill` writes
    /// from the test thread, then has the loop thread poll `polls` times (at most `limit`
    /// events each). Returns the clients' connection ids and, by poll, the connections whose
    /// frames it delivered, in order.
    static func pollWhileHeld(
        _ tag: String, clients count: Int, polls: Int, limit: Int, fill: ([SharedMemoryClientCarrier]) throws -> Void
    ) throws -> (ids: [ConnectionID], polls: [[ConnectionID]]) {
        let name = ShmTest.uniqueName(tag)
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let clients = try (0 ..< count).map { _ in try SharedMemoryClientCarrier(configuration: .init(name: name)) }
        defer { for client in clients { client.close() } }
        #expect(server.waitUntil { log in clients.allSatisfy { log.opened[$0.connectionID] != nil } })

        let started = DispatchSemaphore(value: 0)
        let filled = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let delivered = Mutex<[[ConnectionID]]>([])
        server.perform { carrier in
            // The loop thread waits here while the clients write.
            started.signal()
            filled.wait()
            for _ in 0 ..< polls {
                var senders: [ConnectionID] = []
                _ = carrier.poll(limit: limit) { event in
                    guard case .frame(let id, _) = event else { return }
                    senders.append(id)
                }
                delivered.withLock { $0.append(senders) }
            }
            done.signal()
        }
        // However the test ends, the loop thread is not left waiting (server.stop() joins it).
        defer { filled.signal() }
        #expect(started.wait(timeout: .now() + .seconds(10)) == .success)
        try fill(clients)
        filled.signal()
        #expect(done.wait(timeout: .now() + .seconds(10)) == .success)
        return (clients.map(\.connectionID), delivered.withLock { $0 })
    }
}
