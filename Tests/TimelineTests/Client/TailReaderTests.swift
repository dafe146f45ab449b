import Foundation
import Testing
import Timeline

/// How tail readers wait: a task on the client's executor, a blocking reader asleep on an
/// idle connection.
@Suite struct TailReaderTests {
    @Test("tasks preferring the client's executor read their tails in order", arguments: TestCarrier.allCases)
    func executorReaders(carrier: TestCarrier) async throws {
        let server = try ClientTestServer("exec")
        defer { server.stop() }
        let reader = try server.client(carrier, TimelineClientConfiguration(tailWindow: 4))
        defer { reader.close() }
        let tails = try ["a", "b"].map { try reader.tail(key: $0.utf8) }
        _ = try reader.select(key: "a".utf8)
        let readers = tails.map { tail in
            Task(executorPreference: reader.executor) { () async throws -> [Double] in
                var scores: [Double] = []
                for try await event in tail {
                    scores.append(event.score)
                    if scores.count == 50 { break }
                }
                return scores
            }
        }
        let writer = try server.client(carrier)
        defer { writer.close() }
        for i in 0 ..< 50 {
            try writer.insert(key: "a".utf8, score: Double(i), member: "m\(i)".utf8, delivery: .fireAndForget)
            try writer.insert(key: "b".utf8, score: Double(100 + i), member: "m\(i)".utf8, delivery: .fireAndForget)
        }
        #expect(try await readers[0].value == (0 ..< 50).map(Double.init))
        #expect(try await readers[1].value == (100 ..< 150).map(Double.init))
    }

    @Test("a blocking reader asleep on an idle tail lets the client's other calls through, and wakes for the next event", arguments: [TestCarrier.sharedMemory, .tcp])
    func idleBlockingReader(carrier: TestCarrier) async throws {
        let server = try ClientTestServer("idle")
        defer { server.stop() }
        let client = try server.client(carrier)
        defer { client.close() }
        let tail = try client.tail(key: "k".utf8)
        _ = try client.select(key: "k".utf8)
        let event = Task.detached { () async throws -> Double? in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Double?, any Error>) in
                Thread {
                    do {
                        continuation.resume(returning: try tail.next()?.score)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }.start()
            }
        }
        try await Task.sleep(for: .milliseconds(300))   // past its spin: the reader sleeps
        // Acknowledged calls on the same client, while the reader sleeps.
        for i in 0 ..< 20 { try client.insert(key: "other".utf8, score: Double(i), member: "m".utf8) }
        #expect(try client.select(key: "other".utf8, offset: 0, limit: 1).first?.score == 19)
        try client.insert(key: "k".utf8, score: 7, member: "seen".utf8)
        #expect(try await event.value == 7)
        tail.cancel()
    }
}
