import Frames
import LWWSet
import SeededRandom
import Testing
import Timeline

/// The engine's requests: every kind in both encodings, order per connection, batches, the
/// set's Roshi quirks, and malformed input.
struct TimelineEngineRequestTests {
    @Test("every request kind is answered in the connection's encoding", arguments: TimelineEncoding.allCases)
    func everyKind(encoding: TimelineEncoding) throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, encoding)
        let insert = try client.send(.insert(key: "k", score: 3, member: "c"), to: engine)
        try client.send(.insert(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        let batch = try client.send(.insertBatch(writes: [write("k", 2, "b"), write("j", 5, "x"), write("j", 4, "y")]), to: engine)
        try client.send(.deleteBatch(writes: [write("j", 4, "y")]), .fireAndForget, to: engine)
        let delete = try client.send(.delete(key: "k", score: 3, member: "c"), to: engine)
        let select = try client.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        let keys = try client.send(.selectKeys(keys: ["k", "j", "none"], offset: 0, limit: 1), to: engine)
        let range = try client.send(
            .range(key: "k", start: TimelineJSONCursor(score: 2, member: "b"), stop: nil, limit: 5), to: engine)
        let stopped = try client.send(
            .range(key: "k", start: nil, stop: TimelineJSONCursor(score: 1, member: "a"), limit: 5), to: engine)
        let tail = try client.send(.tail(key: "k"), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(errors(replies).isEmpty)
        #expect(try client.response(to: insert, in: replies) == .ok)
        #expect(try client.response(to: batch, in: replies) == .ok)
        #expect(try client.response(to: delete, in: replies) == .ok)
        #expect(try client.response(to: select, in: replies) == .records([record("b", 2), record("a", 1)]))
        #expect(try client.response(to: keys, in: replies) == .results(["k": [record("b", 2)], "j": [record("x", 5)], "none": []]))
        #expect(try client.response(to: range, in: replies) == .records([record("a", 1)]))
        #expect(try client.response(to: stopped, in: replies) == .records([record("b", 2)]))
        #expect(replies.count == 7)

        try client.send(.insert(key: "k", score: 9, member: "z"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(try client.events(on: tail, in: output.take()) == [.insert(key: "k", score: 9, member: "z")])
        #expect(engine.counters.inserts == 3)
        #expect(engine.counters.insertBatches == 1)
        #expect(engine.counters.deleteBatches == 1)
        #expect(engine.counters.deletes == 1)
        #expect(engine.counters.selects == 1)
        #expect(engine.counters.selectKeys == 1)
        #expect(engine.counters.ranges == 2)
        #expect(engine.counters.tails == 1)
        #expect(engine.counters.fireAndForgetRequests == 3)
        #expect(engine.counters.requestResponseRequests == 7)
        #expect(engine.counters.requestStreamRequests == 1)
        #expect(engine.counters.writesApplied == 8)
    }

    @Test("connections that alternate within one apply each keep their own order")
    func alternatingConnections() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var binary = Client(1, .binary)
        var json = Client(2, .json)
        try binary.send(.insert(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        let jsonFirst = try json.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        let binaryFirst = try binary.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        let jsonWrite = try json.send(.insert(key: "k", score: 2, member: "b"), to: engine)
        try binary.send(.insert(key: "k", score: 3, member: "c"), .fireAndForget, to: engine)
        let binaryLast = try binary.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        try json.send(.insert(key: "k", score: 4, member: "d"), .fireAndForget, to: engine)
        let jsonLast = try json.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(errors(replies).isEmpty)
        // Each select sees its own connection's earlier writes and, of the others', those
        // of the same or an earlier phase; never a later write of its own connection.
        #expect(try json.response(to: jsonFirst, in: replies) == .records([record("a", 1)]))
        #expect(try binary.response(to: binaryFirst, in: replies) == .records([record("a", 1)]))
        #expect(try json.response(to: jsonWrite, in: replies) == .ok)
        #expect(try binary.response(to: binaryLast, in: replies) == .records([record("d", 4), record("c", 3), record("b", 2), record("a", 1)]))
        #expect(try json.response(to: jsonLast, in: replies) == .records([record("d", 4), record("c", 3), record("b", 2), record("a", 1)]))
        #expect(engine.counters.writesApplied == 4)
    }

    @Test("binary responses are laid out as the DocC article says")
    func binaryBytes() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, .binary)
        let insert = try client.send(.insert(key: "a", score: 2, member: "m"), to: engine)
        let keys = try client.send(.selectKeys(keys: ["a", "b"], offset: 0, limit: 0), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(replies == [
            .response(insert, [0x81, 0]),
            .response(keys, [0x83, 0, 0, 2, 0, 1, 0x61, 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x6d, 0, 1, 0x62, 0, 0, 0, 0]),
        ])
    }

    @Test("a connection's requests take effect in order; a select sees earlier writes only", arguments: TimelineEncoding.allCases)
    func orderPerConnection(encoding: TimelineEncoding) throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, encoding)
        var other = Client(2, encoding)
        let before = try client.send(.select(key: "k", offset: 0, limit: 0), to: engine)
        try client.send(.insert(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        let first = try client.send(.select(key: "k", offset: 0, limit: 0), to: engine)
        try client.send(.insertBatch(writes: [write("k", 2, "b")]), .fireAndForget, to: engine)
        try client.send(.delete(key: "k", score: 1, member: "a"), .fireAndForget, to: engine)
        let second = try client.send(.select(key: "k", offset: 0, limit: 0), to: engine)
        let third = try client.send(.selectKeys(keys: ["k"], offset: 0, limit: 0), to: engine)
        try other.send(.insert(key: "o", score: 1, member: "x"), .fireAndForget, to: engine)
        let mine = try other.send(.select(key: "o", offset: 0, limit: 0), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(try client.response(to: before, in: replies) == .records([]))
        #expect(try client.response(to: first, in: replies) == .records([record("a", 1)]))
        #expect(try client.response(to: second, in: replies) == .records([record("b", 2)]))
        #expect(try client.response(to: third, in: replies) == .results(["k": [record("b", 2)]]))
        #expect(try other.response(to: mine, in: replies) == .records([record("x", 1)]))
    }

    @Test("writes in batches, or applied together, end as the same set and tail as one at a time", arguments: [1, 2, 3] as [UInt64])
    func batchesEqualOneByOne(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let writes: [(WriteKind, TimelineJSONWrite)] = (0..<600).map { _ in
            let kind: WriteKind = Int.random(in: 0..<4, using: &random) == 0 ? .delete : .insert
            return (kind, write("k\(Int.random(in: 0..<5, using: &random))", Double(Int.random(in: 0..<50, using: &random)), "m\(Int.random(in: 0..<20, using: &random))"))
        }
        var reference = try LWWSet(maxSize: 8)
        var referenceApplied: UInt64 = 0
        for (kind, write) in writes where try reference.write(kind, key: write.key.utf8, score: write.score, member: write.member.utf8).isApplied {
            referenceApplied += 1
        }
        for encoding in TimelineEncoding.allCases {
            let single = try TimelineEngine(configuration: .init(maxSize: 8))
            let batched = try TimelineEngine(configuration: .init(maxSize: 8))
            var output = RecordingOutput()
            var one = Client(1, encoding)
            var many = Client(1, encoding)
            // A tail of one key on each engine: both must see the same accepted writes.
            var singleTail = Client(9, encoding)
            var batchedTail = Client(9, encoding)
            let tail = try singleTail.send(.tail(key: "k0"), .requestStream(initialDemand: UInt32.max), to: single)
            try batchedTail.send(.tail(key: "k0"), .requestStream(initialDemand: UInt32.max), to: batched)
            single.apply(into: &output)
            batched.apply(into: &output)
            for (index, (kind, write)) in writes.enumerated() {
                let request: TimelineJSONRequest = kind == .insert
                    ? .insert(key: write.key, score: write.score, member: write.member)
                    : .delete(key: write.key, score: write.score, member: write.member)
                try one.send(request, .fireAndForget, to: single)
                if index % 7 == 0 { single.apply(into: &output) }
            }
            single.apply(into: &output)
            let singleEvents = try singleTail.events(on: tail, in: output.take())
            // Runs of one kind become one batch request; all of them are applied at once.
            var start = 0
            while start < writes.count {
                var end = start + 1
                while end < writes.count && writes[end].0 == writes[start].0 { end += 1 }
                let run = writes[start..<end].map(\.1)
                try many.send(writes[start].0 == .insert ? .insertBatch(writes: run) : .deleteBatch(writes: run), .fireAndForget, to: batched)
                start = end
            }
            batched.apply(into: &output)
            let batchedEvents = try batchedTail.events(on: tail, in: output.take())
            #expect(!singleEvents.isEmpty)
            #expect(batchedEvents == singleEvents)
            #expect(UInt64(singleEvents.count) == single.counters.tailEventsSent)
            #expect(single.set == reference)
            #expect(batched.set == reference)
            #expect(single.counters.writesApplied == referenceApplied)
            #expect(batched.counters.writesApplied == referenceApplied)
            #expect(batched.counters.writesIgnored == UInt64(writes.count) - referenceApplied)
        }
    }

    @Test("interleaved connections each see their own requests in order, as if run alone", arguments: [4, 5, 6] as [UInt64])
    func interleavedConnections(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for encoding in TimelineEncoding.allCases {
            let engine = try TimelineEngine(configuration: .init(maxSize: 6))
            var output = RecordingOutput()
            // Three connections on keys of their own: one apply runs them all, in phases.
            var clients = (1...3).map { Client(UInt64($0), encoding) }
            var references = try (0..<3).map { _ in try LWWSet(maxSize: 6) }
            var expected: [UInt64: TimelineJSONResponse] = [:]
            var applied = 0
            for step in 0..<400 {
                let who = Int.random(in: 0..<3, using: &random)
                let key = "c\(who)k\(Int.random(in: 0..<2, using: &random))"
                let score = Double(Int.random(in: 0..<30, using: &random))
                let member = "m\(Int.random(in: 0..<10, using: &random))"
                switch Int.random(in: 0..<5, using: &random) {
                case 0, 1:
                    try clients[who].send(.insert(key: key, score: score, member: member), .fireAndForget, to: engine)
                    try references[who].insert(key: key.utf8, score: score, member: member.utf8)
                case 2:
                    try clients[who].send(.delete(key: key, score: score, member: member), .fireAndForget, to: engine)
                    try references[who].delete(key: key.utf8, score: score, member: member.utf8)
                default:
                    let token = try clients[who].send(.select(key: key, offset: 0, limit: 0), to: engine)
                    let selection = try references[who].select(key: key.utf8, offset: 0, limit: 0)
                    expected[token] = .records(selection.map { TimelineJSONRecord(member: String(decoding: $0.member, as: UTF8.self), score: $0.score) })
                }
                if step % 100 == 99 {
                    engine.apply(into: &output)
                    applied += 1
                }
            }
            let replies = output.take()
            #expect(errors(replies).isEmpty)
            #expect(replies.count == expected.count)
            for (token, response) in expected {
                #expect(try clients[Int(token >> 32) - 1].response(to: token, in: replies) == response)
            }
            #expect(applied == 4)
        }
    }

    @Test("selects keep Roshi's offset and limit quirks, through the set")
    func roshiQuirks() throws {
        let engine = try TimelineEngine(configuration: .init(maxSize: 3))
        var output = RecordingOutput()
        var client = Client(1, .json)
        try client.send(.insertBatch(writes: (1...5).map { write("k", Double($0), "m\($0)") }), .fireAndForget, to: engine)
        try client.send(.delete(key: "k", score: 4, member: "m4"), .fireAndForget, to: engine)
        try client.send(.insert(key: "k", score: 3, member: "m4"), .fireAndForget, to: engine)
        let all = try client.send(.select(key: "k", offset: 0, limit: 0), to: engine)
        let none = try client.send(.select(key: "k", offset: 1, limit: 0), to: engine)
        let page = try client.send(.select(key: "k", offset: 1, limit: 1), to: engine)
        let past = try client.send(.select(key: "k", offset: 9, limit: 9), to: engine)
        let unknown = try client.send(.select(key: "nobody", offset: 0, limit: 0), to: engine)
        let manyAll = try client.send(.selectKeys(keys: ["k", "nobody"], offset: 0, limit: 0), to: engine)
        let nothing = try client.send(.range(key: "k", start: nil, stop: nil, limit: 0), to: engine)
        let noKeys = try client.send(.selectKeys(keys: [], offset: 0, limit: 10), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        // The bound of 3 kept m5, m4 (deleted at 4: the insert at 3 is older) and m3.
        #expect(try client.response(to: all, in: replies) == .records([record("m5", 5), record("m3", 3)]))
        #expect(try client.response(to: none, in: replies) == .records([]))
        #expect(try client.response(to: page, in: replies) == .records([record("m3", 3)]))
        #expect(try client.response(to: past, in: replies) == .records([]))
        #expect(try client.response(to: unknown, in: replies) == .records([]))
        #expect(try client.response(to: manyAll, in: replies) == .results(["k": [record("m5", 5), record("m3", 3)], "nobody": []]))
        #expect(try client.response(to: nothing, in: replies) == .records([]))
        #expect(try client.response(to: noKeys, in: replies) == .results([:]))
        #expect(engine.counters.writesIgnored == 1)
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let name: String
        let encoding: TimelineEncoding
        let bytes: [UInt8]
        let interaction: TimelineInteraction
        let code: UInt32
        let reasonNames: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "binary batch cut inside its second write", encoding: .binary,
                  bytes: [5, 0, 0, 0, 0, 2, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x6b, 0x3f], interaction: .requestResponse,
                  code: 0x204, reasonNames: "writes"),
        Malformed(name: "binary select key past the end", encoding: .binary, bytes: [3, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0x6b],
                  interaction: .requestResponse, code: 0x204, reasonNames: "key"),
        Malformed(name: "binary range with an unknown flag", encoding: .binary,
                  bytes: [8, 0] + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, 0], interaction: .requestResponse,
                  code: 0x204, reasonNames: "range flags"),
        Malformed(name: "binary unknown operation", encoding: .binary, bytes: [0x7f, 0], interaction: .requestResponse,
                  code: 0x204, reasonNames: "operation"),
        Malformed(name: "JSON batch write without a member", encoding: .json,
                  bytes: Array(#"{"op":"insert","writes":[{"key":"k","score":1}]}"#.utf8), interaction: .requestResponse,
                  code: 0x204, reasonNames: "member"),
        Malformed(name: "JSON keys not a list", encoding: .json, bytes: Array(#"{"op":"select","keys":"k","offset":0,"limit":1}"#.utf8),
                  interaction: .requestResponse, code: 0x204, reasonNames: "keys"),
        Malformed(name: "JSON range cursor without a score", encoding: .json,
                  bytes: Array(#"{"op":"range","key":"k","start":{"member":"m"},"limit":1}"#.utf8), interaction: .requestResponse,
                  code: 0x204, reasonNames: "score"),
        Malformed(name: "JSON not JSON", encoding: .json, bytes: Array("insert k 1 m".utf8), interaction: .requestResponse,
                  code: 0x204, reasonNames: "JSON"),
        Malformed(name: "a tail by request-response", encoding: .binary, bytes: [4, 0, 0, 1, 0x6b], interaction: .requestResponse,
                  code: 0x204, reasonNames: "tail cannot be sent by request-response"),
        Malformed(name: "an insert by request-stream", encoding: .json,
                  bytes: Array(#"{"op":"insert","key":"k","score":1,"member":"m"}"#.utf8), interaction: .requestStream(initialDemand: 1),
                  code: 0x204, reasonNames: "insert cannot be sent by request-stream"),
    ]

    @Test("a malformed request gets its code and a reason naming the field; the others of the batch succeed", arguments: malformed)
    func malformedRequest(_ example: Malformed) throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, example.encoding)
        let insert = try client.send(.insert(key: "k", score: 1, member: "m"), to: engine)
        let bad = client.sendRaw(example.bytes, example.interaction, to: engine)
        let select = try client.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        let failure = try #require(errors(replies).first)
        guard case let .error(token, code, reason) = failure else { return }
        #expect(token == bad)
        #expect(code == example.code)
        #expect(reason.contains(example.reasonNames), "\(reason)")
        #expect(errors(replies).count == 1)
        #expect(try client.response(to: insert, in: replies) == .ok)
        #expect(try client.response(to: select, in: replies) == .records([record("m", 1)]))
        #expect(engine.counters.invalidRequests == 1)
        #expect(engine.counters.unansweredFailures == 0)
    }

    @Test("a fire-and-forget failure is counted, not answered")
    func fireAndForgetFailures() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, .binary)
        client.sendRaw([1, 0, 0x3f], .fireAndForget, to: engine)
        try client.send(.select(key: "k", offset: 0, limit: 1), .fireAndForget, to: engine)
        try client.send(.insert(key: "k", score: 1, member: "m"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        #expect(output.take().isEmpty)
        #expect(engine.counters.invalidRequests == 2)
        #expect(engine.counters.unansweredFailures == 2)
        #expect(engine.counters.writesApplied == 1)
    }

    @Test("what JSON cannot carry and responses past the limit fail with 0x201")
    func applicationErrors() throws {
        let engine = try TimelineEngine(configuration: .init(maxMessageBytes: 64))
        var output = RecordingOutput()
        var binary = Client(1, .binary)
        var json = Client(2, .json)
        binary.sendRaw([1, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0x6b, 0xff], .fireAndForget, to: engine)
        let notUTF8 = try json.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        let fits = try binary.send(.select(key: "k", offset: 0, limit: 10), to: engine)
        try binary.send(.insertBatch(writes: (0..<6).map { write("big", Double($0), "member-\($0)") }), .fireAndForget, to: engine)
        let tooLarge = try binary.send(.select(key: "big", offset: 0, limit: 0), to: engine)
        let tooLargeKeys = try binary.send(.selectKeys(keys: ["k", "big"], offset: 0, limit: 0), to: engine)
        let partial = try binary.send(.select(key: "big", offset: 0, limit: 2), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        let failures = errors(replies)
        #expect(failures.map(\.token) == [notUTF8, tooLarge, tooLargeKeys])
        for case let .error(_, code, _) in failures { #expect(code == 0x201) }
        if case let .error(_, _, reason) = failures.first { #expect(reason.contains("member"), "\(reason)") }
        if case let .error(_, _, reason) = failures.last { #expect(reason.contains("64-byte"), "\(reason)") }
        #expect(replies.contains(.response(fits, [0x82, 0, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff])))
        #expect(try binary.responses(to: partial, in: replies).count == 1)
        #expect(engine.counters.failedRequests == 3)
    }

    @Test("a JSON request whose binary form passes the message limit fails with 0x201")
    func jsonTooLarge() throws {
        let engine = try TimelineEngine(configuration: .init(maxMessageBytes: 64))
        var output = RecordingOutput()
        var client = Client(1, .json)
        let large = try client.send(.insertBatch(writes: (0..<6).map { write("k", Double($0), "member-\($0)") }), to: engine)
        let small = try client.send(.insertBatch(writes: [write("k", 1, "m")]), to: engine)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(errors(replies).map(\.token) == [large])
        if case let .error(_, code, reason)? = errors(replies).first {
            #expect(code == 0x201)
            #expect(reason.contains("64-byte message limit"), "\(reason)")
        }
        #expect(try client.response(to: small, in: replies) == .ok)
        #expect(engine.counters.writesApplied == 1)
    }

    @Test("an engine can start from a replayed set, trimmed to its bound")
    func startFromSet() throws {
        var replayed = try LWWSet(maxSize: 10)
        for score in 1...5 { try replayed.insert(key: "k".utf8, score: Double(score), member: "m\(score)".utf8) }
        let engine = try TimelineEngine(configuration: .init(maxSize: 3), set: replayed)
        var output = RecordingOutput()
        var client = Client(1, .json)
        let all = try client.send(.select(key: "k", offset: 0, limit: 0), to: engine)
        engine.apply(into: &output)
        #expect(try client.response(to: all, in: output.take()) == .records([record("m5", 5), record("m4", 4), record("m3", 3)]))
        #expect(engine.set.maxSize == 3)
        #expect(throws: LWWSetError.invalidMaxSize(0)) { try TimelineEngine(configuration: .init(maxSize: 0)) }
    }

    @Test("the observer sees every applied write in order, and no ignored one")
    func observer() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var observer = RecordingObserver()
        var client = Client(1, .binary)
        try client.send(.insertBatch(writes: [write("k", 2, "a"), write("k", 1, "a"), write("j", 1, "b")]), .fireAndForget, to: engine)
        try client.send(.delete(key: "k", score: 3, member: "a"), .fireAndForget, to: engine)
        try client.send(.delete(key: "k", score: 2, member: "a"), .fireAndForget, to: engine)
        engine.apply(into: &output, observer: &observer)
        #expect(observer.writes == [
            .insert(key: "k", score: 2, member: "a"), .insert(key: "j", score: 1, member: "b"), .delete(key: "k", score: 3, member: "a"),
        ])
        #expect(engine.counters.writesApplied == 3)
        #expect(engine.counters.writesIgnored == 2)
    }

    @Test("cancel and close drop queued requests: nothing is done or answered")
    func cancelAndClose() throws {
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var client = Client(1, .json)
        var gone = Client(2, .json)
        let cancelled = try client.send(.insert(key: "k", score: 1, member: "a"), to: engine)
        let kept = try client.send(.insert(key: "k", score: 2, member: "b"), to: engine)
        try gone.send(.insert(key: "k", score: 3, member: "c"), .fireAndForget, to: engine)
        try gone.send(.select(key: "k", offset: 0, limit: 1), to: engine)
        engine.cancel(TimelineReplyToken(rawValue: cancelled))
        engine.close(gone.connection)
        engine.apply(into: &output)
        let replies = output.take()
        #expect(replies.map(\.token) == [kept])
        let all = try client.send(.select(key: "k", offset: 0, limit: 0), to: engine)
        engine.apply(into: &output)
        #expect(try client.response(to: all, in: output.take()) == .records([record("b", 2)]))
    }
}
