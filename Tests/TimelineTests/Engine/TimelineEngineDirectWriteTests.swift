import Frames
import Testing
import Timeline

/// Binary fire-and-forget writes queued while nothing else is (a write flood) skip the
/// general queue: they still come first, in order, count as pending, and are dropped by a
/// cancel or a close like any other request.
@Suite struct TimelineEngineDirectWriteTests {
    @Test("writes queued before anything else apply first and in order; cancel and close drop them")
    func directWritesKeepTheQueueRules() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var writer = Client(1, .binary)
        var cancelled = Client(2, .binary)
        var gone = Client(3, .binary)
        try writer.send(.insert(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        try writer.send(.insert(key: "k", score: 2, member: "b"), .fireAndForget, to: engine)
        try writer.send(.delete(key: "k", score: 3, member: "a"), .fireAndForget, to: engine)
        let dropped = try cancelled.send(.insert(key: "k", score: 4, member: "c"), .fireAndForget, to: engine)
        try gone.send(.insert(key: "k", score: 5, member: "d"), .fireAndForget, to: engine)
        #expect(engine.pendingCount == 5)
        engine.cancel(TimelineReplyToken(rawValue: dropped))
        engine.close(gone.connection)
        let select = try writer.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        var observer = RecordingObserver()
        engine.apply(into: &output, observer: &observer)
        let replies = output.take()
        #expect(observer.writes == [
            .insert(key: "k", score: 1, member: "a"), .insert(key: "k", score: 2, member: "b"), .delete(key: "k", score: 3, member: "a"),
        ])
        #expect(try writer.response(to: select, in: replies) == .records([record("b", 2)]))
        #expect(engine.counters.writesApplied == 3)
        #expect(engine.pendingCount == 0)
    }

    @Test("a read queued after them, by another connection and alone in its phase, sees them")
    func directWritesBeforeAReadOnlyPhase() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var writer = Client(1, .binary)
        var reader = Client(2, .binary)
        try writer.send(.insert(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        let select = try reader.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        engine.apply(into: &output)
        #expect(try reader.response(to: select, in: output.take()) == .records([record("a", 1)]))
        #expect(engine.counters.writesApplied == 1)
    }
}
