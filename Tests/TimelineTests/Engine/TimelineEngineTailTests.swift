import Frames
import LWWSet
import Testing
import Timeline

/// Tails: accepted writes of the key, in order, in the subscriber's encoding, under REQUEST_N
/// credit, cut off on overflow without slowing the writers.
struct TimelineEngineTailTests {
    @Test("a tail gets its key's accepted writes in order, as credit allows", arguments: TimelineEncoding.allCases)
    func underCredit(encoding: TimelineEncoding) throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var subscriber = Client(1, encoding)
        var writer = Client(2, .binary)
        let tail = try subscriber.send(.tail(key: "k"), .requestStream(initialDemand: 2), to: engine)
        engine.apply(into: &output)
        #expect(output.take().isEmpty)
        try writer.send(.insertBatch(writes: (1...5).map { write("k", Double($0), "m\($0)") } + [write("other", 1, "x")]), .fireAndForget, to: engine)
        try writer.send(.insert(key: "k", score: 0, member: "m5"), .fireAndForget, to: engine)   // ignored: m5 is newer
        try writer.send(.delete(key: "k", score: 9, member: "m1"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        let expected: [TimelineJSONRequest] = (1...5).map { .insert(key: "k", score: Double($0), member: "m\($0)") }
            + [.delete(key: "k", score: 9, member: "m1")]
        #expect(try subscriber.events(on: tail, in: output.take()) == Array(expected[0..<2]))
        engine.demand(TimelineReplyToken(rawValue: tail), 3, into: &output)
        #expect(try subscriber.events(on: tail, in: output.take()) == Array(expected[2..<5]))
        engine.demand(TimelineReplyToken(rawValue: tail), 10, into: &output)
        #expect(try subscriber.events(on: tail, in: output.take()) == Array(expected[5...]))
        try writer.send(.insert(key: "k", score: 10, member: "late"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(try subscriber.events(on: tail, in: output.take()) == [.insert(key: "k", score: 10, member: "late")])
        #expect(engine.counters.tailEventsSent == 7)
        #expect(engine.counters.activeTails == 1)
    }

    @Test("a tail starts where its connection's order puts it")
    func startsInOrder() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, .binary)
        try client.send(.insert(key: "k", score: 1, member: "before"), .fireAndForget, to: engine)
        let tail = try client.send(.tail(key: "k"), .requestStream(initialDemand: 100), to: engine)
        try client.send(.insert(key: "k", score: 2, member: "after"), .fireAndForget, to: engine)
        engine.demand(TimelineReplyToken(rawValue: tail), 1, into: &output)   // before it starts: added to its credit
        engine.apply(into: &output)
        #expect(try client.events(on: tail, in: output.take()) == [.insert(key: "k", score: 2, member: "after")])
    }

    @Test("several tails of one key each get every event; other keys' tails get none")
    func fanOut() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var binary = Client(1, .binary)
        var json = Client(2, .json)
        let first = try binary.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        let second = try json.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        let elsewhere = try json.send(.tail(key: "j"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        try binary.send(.insertBatch(writes: [write("k", 1, "a"), write("k", 2, "b")]), .fireAndForget, to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        let events: [TimelineJSONRequest] = [.insert(key: "k", score: 1, member: "a"), .insert(key: "k", score: 2, member: "b")]
        #expect(try binary.events(on: first, in: replies) == events)
        #expect(try json.events(on: second, in: replies) == events)
        #expect(try json.events(on: elsewhere, in: replies).isEmpty)
        #expect(engine.tailCount == 3)
    }

    @Test("a tail that overflows its buffer is cut off with 0x201; the writers go on")
    func overflow() throws {
        let engine = try TimelineEngine(configuration: .init(tailBufferEvents: 4))
        var output = RecordingOutput()
        var subscriber = Client(1, .binary)
        var patient = Client(3, .binary)
        var writer = Client(2, .binary)
        let tail = try subscriber.send(.tail(key: "k"), .requestStream(initialDemand: 1), to: engine)
        let keeping = try patient.send(.tail(key: "k"), .requestStream(initialDemand: 100), to: engine)
        engine.apply(into: &output)
        try writer.send(.insertBatch(writes: (1...8).map { write("k", Double($0), "m\($0)") }), .fireAndForget, to: engine)
        let ack = try writer.send(.insert(key: "k", score: 9, member: "m9"), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        // One event sent, four buffered, the sixth overflows.
        #expect(try subscriber.events(on: tail, in: replies) == [.insert(key: "k", score: 1, member: "m1")])
        let cut = replies.filter { $0.token == tail && errors([$0]).count == 1 }
        #expect(cut.count == 1)
        if case let .error(_, code, reason)? = cut.first {
            #expect(code == 0x201)
            #expect(reason.contains("tail overflow"))
        }
        #expect(try writer.response(to: ack, in: replies) == .ok)
        #expect(try patient.events(on: keeping, in: replies).count == 9)
        #expect(engine.counters.tailsCutOff == 1)
        #expect(engine.counters.writesApplied == 9)
        #expect(engine.tailCount == 1)
        engine.demand(TimelineReplyToken(rawValue: tail), 10, into: &output)
        #expect(output.take().isEmpty)
    }

    @Test("at a clean stop a caught-up tail completes; one still owed events fails saying how many")
    func endTails() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var caughtUp = Client(1, .binary)
        var starved = Client(3, .json)
        var writer = Client(2, .binary)
        let whole = try caughtUp.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        let short = try starved.send(.tail(key: "k"), .requestStream(initialDemand: 1), to: engine)
        engine.apply(into: &output)
        try writer.send(.insertBatch(writes: (1...3).map { write("k", Double($0), "m\($0)") }), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(try caughtUp.events(on: whole, in: output.take()).count == 3)
        // Credit arriving just before the stop is used before the tail ends.
        engine.demand(TimelineReplyToken(rawValue: short), 1, into: &output)
        #expect(try starved.events(on: short, in: output.take()).count == 1)
        engine.endTails(into: &output)
        let replies = output.take()
        #expect(replies.filter { $0.token == whole } == [.complete(whole)])
        #expect(replies.filter { $0.token == short } == [
            .error(short, code: 0x201, reason: "server stopping: 1 events of the tail were not delivered (no REQUEST_N credit for them)"),
        ])
        #expect(engine.tailCount == 0)
        #expect(engine.counters.activeTails == 0)
        try writer.send(.insert(key: "k", score: 4, member: "m4"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(output.take().isEmpty)
    }

    @Test("an event the output refuses stays queued and is offered again, in order")
    func refusedEvents() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, .binary)
        let tail = try client.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        output.refusing = true
        try client.send(.insertBatch(writes: [write("k", 1, "a"), write("k", 2, "b")]), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(output.take().isEmpty)
        output.refusing = false
        engine.flush(into: &output)
        #expect(try client.events(on: tail, in: output.take()) == [.insert(key: "k", score: 1, member: "a"), .insert(key: "k", score: 2, member: "b")])
        #expect(engine.counters.tailEventsSent == 2)
    }

    @Test("cancel and a closed connection end tails")
    func cancelAndClose() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var cancelling = Client(1, .binary)
        var closing = Client(2, .json)
        var staying = Client(3, .binary)
        let cancelled = try cancelling.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        try closing.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        try closing.send(.tail(key: "j"), .requestStream(initialDemand: 10), to: engine)
        let stays = try staying.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        #expect(engine.tailCount == 4)
        engine.cancel(TimelineReplyToken(rawValue: cancelled))
        engine.close(closing.connection)
        #expect(engine.tailCount == 1)
        #expect(engine.counters.activeTails == 1)
        try staying.send(.insertBatch(writes: [write("k", 1, "a"), write("j", 1, "b")]), .fireAndForget, to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(replies.allSatisfy { $0.token == stays })
        #expect(try staying.events(on: stays, in: replies) == [.insert(key: "k", score: 1, member: "a")])
        // A slot freed by a cancelled tail serves a new one.
        let again = try cancelling.send(.tail(key: "j"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        try staying.send(.insert(key: "j", score: 2, member: "c"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(try cancelling.events(on: again, in: output.take()) == [.insert(key: "j", score: 2, member: "c")])
    }

    @Test("a key's tail still gets its events after another tail of it, or of a long key, ends")
    func tailsOfOneKeyOutliveEachOther() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var subscriber = Client(1, .binary)
        var writer = Client(2, .binary)
        let longKey = String(repeating: "timeline:", count: 4)
        let first = try subscriber.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        let second = try subscriber.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        let long = try subscriber.send(.tail(key: longKey), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        engine.cancel(TimelineReplyToken(rawValue: first))
        try writer.send(.insert(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        try writer.send(.insert(key: longKey, score: 1, member: "x"), .fireAndForget, to: engine)
        try writer.send(.insert(key: longKey + "-other", score: 1, member: "y"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        var replies = output.take()
        #expect(try subscriber.events(on: first, in: replies).isEmpty)
        #expect(try subscriber.events(on: second, in: replies) == [.insert(key: "k", score: 1, member: "a")])
        #expect(try subscriber.events(on: long, in: replies) == [.insert(key: longKey, score: 1, member: "x")])

        // Every tail of the key gone, then a new one: it gets what is written from then on.
        engine.cancel(TimelineReplyToken(rawValue: second))
        try writer.send(.insert(key: "k", score: 2, member: "b"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(output.take().isEmpty)
        let third = try subscriber.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        try writer.send(.insert(key: "k", score: 3, member: "c"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        replies = output.take()
        #expect(try subscriber.events(on: third, in: replies) == [.insert(key: "k", score: 3, member: "c")])
        #expect(engine.tailCount == 2)
    }

    @Test("a JSON tail of a key written with bytes JSON cannot carry is cut off with 0x201")
    func jsonCannotCarry() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var json = Client(1, .json)
        var binary = Client(2, .binary)
        let tail = try json.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        binary.sendRaw([1, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0x6b, 0xff], .fireAndForget, to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(replies.count == 1)
        if case let .error(token, code, reason)? = replies.first {
            #expect(token == tail)
            #expect(code == 0x201)
            #expect(reason.contains("member"))
        }
        #expect(engine.tailCount == 0)
    }
}
