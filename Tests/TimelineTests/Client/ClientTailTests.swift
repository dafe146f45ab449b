import Foundation
import LWWSet
import Testing
import Timeline

/// Tails through `TimelineClient`: every accepted write of the key, in order, under bounded
/// demand; a slow tail cut off without holding up the writers.
@Suite("TimelineClient tails")
struct ClientTailTests {
    @Test("a tail sees every accepted write to its key, in order, through a small window", arguments: TestCarrier.allCases)
    func everyWriteInOrder(carrier: TestCarrier) async throws {
        let server = try ClientTestServer("tail")
        defer { server.stop() }
        // A window of 4: the server sends at most 4 ahead, so 300 events need many REQUEST_Ns.
        let reader = try server.client(carrier, TimelineClientConfiguration(tailWindow: 4))
        defer { reader.close() }
        let writer = try server.client(carrier)
        defer { writer.close() }
        let tail = try reader.tail(key: "feed".utf8)
        // The tail is subscribed once an acknowledged request on its connection returns.
        _ = try reader.select(key: "feed".utf8)
        for i in 0 ..< 300 {
            try writer.insert(key: "feed".utf8, score: Double(i), member: "m\(i)".utf8, delivery: i % 2 == 0 ? .acknowledged : .fireAndForget)
            if i % 50 == 0 {
                try writer.insert(key: "other".utf8, score: 1, member: "x".utf8)            // another key: not in this tail
                try writer.insert(key: "feed".utf8, score: -1, member: "m0".utf8)           // ignored (older): not an event
            }
        }
        try writer.delete(key: "feed".utf8, score: 1_000, member: "m7".utf8)
        var events: [TimelineEvent] = []
        for try await event in tail {
            events.append(event)
            if events.count == 301 { break }
        }
        #expect(events.count == 301)
        #expect(events.prefix(300).map(\.score) == (0 ..< 300).map(Double.init))
        #expect(events.prefix(300).allSatisfy { $0.kind == .insert && $0.key == bytes("feed") })
        #expect(events.last == TimelineEvent(kind: .delete, key: bytes("feed"), score: 1_000, member: bytes("m7")))
        #expect(events[5].description == "insert feed 5 m5")
    }

    @Test("the blocking form reads the same events on a plain thread")
    func blockingForm() async throws {
        let server = try ClientTestServer("block")
        defer { server.stop() }
        let client = try server.client(.sharedMemory, TimelineClientConfiguration(encoding: .json, tailWindow: 2))
        defer { client.close() }
        let tail = try client.tail(key: "k".utf8)
        _ = try client.select(key: "k".utf8)
        for i in 0 ..< 20 { try client.insert(key: "k".utf8, score: Double(i), member: "m\(i)".utf8) }
        // On a thread of its own, as `ringside tail` reads (not one of the pool's threads).
        let scores = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Double], any Error>) in
            Thread {
                do {
                    var scores: [Double] = []
                    for _ in 0 ..< 20 {
                        guard let event = try tail.next() else { break }
                        scores.append(event.score)
                    }
                    continuation.resume(returning: scores)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
        #expect(scores == (0 ..< 20).map(Double.init))
        tail.cancel()
    }

    @Test("the blocking form waiting on a plain thread ends with its connection: closing the client makes it throw", arguments: [TestCarrier.sharedMemory, .tcp])
    func blockingFormEndsWithTheConnection(carrier: TestCarrier) async throws {
        let server = try ClientTestServer("blockend")
        defer { server.stop() }
        let client = try server.client(carrier)
        let tail = try client.tail(key: "k".utf8)
        _ = try client.select(key: "k".utf8)
        let closer = Task {
            try await Task.sleep(for: .milliseconds(200))
            client.close()
        }
        let outcome = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TimelineClientError?, any Error>) in
            Thread {
                do {
                    let event = try tail.next()
                    continuation.resume(throwing: TimelineClientError.protocolViolation("next() returned \(String(describing: event))"))
                } catch let error as TimelineClientError {
                    continuation.resume(returning: error)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
        try await closer.value
        #expect(outcome == .closed)
    }

    @Test("a clean stop ends a tail: the reader gets every event sent, then the end", arguments: TestCarrier.allCases)
    func cleanStopCompletes(carrier: TestCarrier) async throws {
        let (scores, failure) = try await Self.fiveEventsThenStop("stopend", carrier, TimelineClientConfiguration())
        #expect(scores == [0, 1, 2, 3, 4])
        #expect(failure == nil, "\(String(describing: failure))")
    }

    @Test("a clean stop fails a tail still owed events, saying how many it missed", arguments: [TestCarrier.sharedMemory, .tcp])
    func cleanStopFailsAShortTail(carrier: TestCarrier) async throws {
        // A window of 2: the server sends 2 and keeps 3.
        let (scores, failure) = try await Self.fiveEventsThenStop("stopshort", carrier, TimelineClientConfiguration(tailWindow: 2))
        #expect(scores == [0, 1])
        let expected = TimelineClientError.rejected(
            code: 0x201, reason: "server stopping: 3 events of the tail were not delivered (no REQUEST_N credit for them)")
        #expect(failure as? TimelineClientError == expected, "\(String(describing: failure))")
    }

    /// Five acknowledged inserts to a tailed key, none read, then a clean stop of the server:
    /// the scores the tail then yields, and the error that ended it (nil: it completed).
    static func fiveEventsThenStop(
        _ label: String, _ carrier: TestCarrier, _ configuration: TimelineClientConfiguration
    ) async throws -> ([Double], (any Error)?) {
        let server = try ClientTestServer(label)
        defer { server.stop() }
        let reader = try server.client(carrier, configuration)
        defer { reader.close() }
        let tail = try reader.tail(key: "k".utf8)
        _ = try reader.select(key: "k".utf8)
        for i in 0 ..< 5 { try reader.insert(key: "k".utf8, score: Double(i), member: "m\(i)".utf8) }
        // Nothing read before the stop: the events wait in the client, or are still on the way.
        server.stop()
        var scores: [Double] = []
        do {
            for try await event in tail { scores.append(event.score) }
        } catch {
            return (scores, error)
        }
        return (scores, nil)
    }

    @Test("a tail that is not read is cut off with an ERROR, and the writers are not held up", arguments: [TestCarrier.sharedMemory, .tcp])
    func slowTailCutOff(carrier: TestCarrier) async throws {
        let server = try ClientTestServer("slow", tailBufferEvents: 256)
        defer { server.stop() }
        let slow = try server.client(carrier, TimelineClientConfiguration(tailWindow: 2))
        defer { slow.close() }
        let tail = try slow.tail(key: "hot".utf8)
        _ = try slow.select(key: "hot".utf8)
        let writer = try server.client(carrier)
        defer { writer.close() }
        let start = ContinuousClock.now
        for i in 0 ..< 2_000 {
            try writer.insert(key: "hot".utf8, score: Double(i), member: "m\(i)".utf8, delivery: i % 10 == 0 ? .acknowledged : .fireAndForget)
        }
        _ = try writer.select(key: "hot".utf8, offset: 0, limit: 1)
        let elapsed = ContinuousClock.now - start
        // Every write applied while the tail sat at its bound (2 sent, 256 buffered).
        #expect(try writer.select(key: "hot".utf8, offset: 0, limit: 0).count == 2_000)
        // Held up by the tail, an acknowledged insert would wait for ever (it fails at the
        // client's request timeout); 60 s bounds 2,000 writes on loaded cores with room to
        // spare (21 s was seen for a debug server at load 18).
        #expect(elapsed < .seconds(60))
        var received = 0
        var cutOff: (any Error)?
        do {
            for try await _ in tail { received += 1 }
        } catch {
            cutOff = error
        }
        #expect(received <= 2 + 256)
        guard case .rejected(let code, let reason)? = cutOff as? TimelineClientError else {
            Issue.record("expected the tail cut off with an ERROR, got \(String(describing: cutOff)) after \(received) events")
            return
        }
        #expect(code == 0x201)
        #expect(!reason.isEmpty)
        // The slow client's connection still works.
        #expect(try slow.select(key: "hot".utf8, offset: 0, limit: 1) == [TimelineEntry(member: "m1999", score: 1_999)])
    }
}
