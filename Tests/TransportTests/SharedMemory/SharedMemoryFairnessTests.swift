import Dispatch
import Synchronization
import Testing
@testable import Transport

/// How the shared-memory server carrier shares its polls among channels with work.
@Suite("Shared-memory carrier: fairness")
struct SharedMemoryFairnessTests {
    @Test("polls take turns among the channels with frames: an empty channel's turn does not go to the one behind it")
    func pollsTakeTurns() throws {
        let name = ShmTest.uniqueName("fair")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        // Two busy clients and an idle one, in every order the table may hold them: the
        // busy channel right behind the idle one used to get two turns in three.
        let clients = try (0 ..< 3).map { _ in try SharedMemoryClientCarrier(configuration: .init(name: name)) }
        defer { for client in clients { client.close() } }
        #expect(server.waitUntil { log in clients.allSatisfy { log.opened[$0.connectionID] != nil } })

        let started = DispatchSemaphore(value: 0)
        let filled = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let counts = Mutex<[ConnectionID: Int]>([:])
        let polls = 6
        let limit = 8
        server.perform { carrier in
            // The loop thread waits here while the busy clients fill their rings.
            started.signal()
            filled.wait()
            for _ in 0 ..< polls {
                _ = carrier.poll(limit: limit) { event in
                    guard case .frame(let id, _) = event else { return }
                    counts.withLock { $0[id, default: 0] += 1 }
                }
            }
            done.signal()
        }
        // However the test ends, the loop thread is not left waiting (server.stop() joins it).
        defer { filled.signal() }
        #expect(started.wait(timeout: .now() + .seconds(10)) == .success)
        let frame = Array("busy".utf8)
        for client in clients.prefix(2) {
            for _ in 0 ..< polls * limit {
                #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent)
            }
        }
        filled.signal()
        #expect(done.wait(timeout: .now() + .seconds(10)) == .success)

        let busy = counts.withLock { counts in clients.prefix(2).map { counts[$0.connectionID] ?? 0 } }
        #expect(busy[0] + busy[1] == polls * limit)
        #expect(busy[0] == busy[1], "the busy channels got \(busy[0]) and \(busy[1]) frames in \(polls) polls of \(limit)")
    }

    @Test("a poll ends at the first channel with frames, and the next one starts behind it")
    func pollEndsAtFirstChannelWithFrames() throws {
        let name = ShmTest.uniqueName("first")
        defer { ShmTest.removeAll(name) }
        let server = try TestServer(ShmTest.server(name))
        defer { server.stop() }
        let clients = try (0 ..< 2).map { _ in try SharedMemoryClientCarrier(configuration: .init(name: name)) }
        defer { for client in clients { client.close() } }
        #expect(server.waitUntil { log in clients.allSatisfy { log.opened[$0.connectionID] != nil } })

        let started = DispatchSemaphore(value: 0)
        let filled = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let polls = Mutex<[[ConnectionID]]>([])
        server.perform { carrier in
            // The loop thread waits here while each client writes one frame.
            started.signal()
            filled.wait()
            for _ in 0 ..< 2 {
                var senders: [ConnectionID] = []
                _ = carrier.poll(limit: 8) { event in
                    guard case .frame(let id, _) = event else { return }
                    senders.append(id)
                }
                polls.withLock { $0.append(senders) }
            }
            done.signal()
        }
        defer { filled.signal() }
        #expect(started.wait(timeout: .now() + .seconds(10)) == .success)
        let frame = Array("one".utf8)
        for client in clients {
            #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent)
        }
        filled.signal()
        #expect(done.wait(timeout: .now() + .seconds(10)) == .success)

        let senders = polls.withLock { $0 }
        #expect(senders.count == 2)
        #expect(senders.allSatisfy { $0.count == 1 }, "each poll delivers one channel's frame: \(senders)")
        #expect(Set(senders.joined()) == Set(clients.map(\.connectionID)), "the second poll reads the other channel: \(senders)")
    }
}
