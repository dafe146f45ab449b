import Testing
@testable import Timeline

/// The tail index files tails in chains per cell of a cheap key hash: keys that share a
/// cell share a chain, and each write must still reach only its own key's tails, in the
/// order they started, whichever of them ends.
struct TailIndexTests {
    /// `count` distinct keys that all fall in one cell of the index.
    static func keysSharingACell(_ count: Int) -> [String] {
        var byCell: [Int: [String]] = [:]
        var number = 0
        while true {
            let key = "key-\(number)"
            number += 1
            let cell = Array(key.utf8).withUnsafeBytes { TailIndex.cell($0) }
            byCell[cell, default: []].append(key)
            if byCell[cell]!.count == count { return byCell[cell]! }
        }
    }

    @Test("tails of keys sharing a cell each get only their key's writes, in start order, as tails in the chain end")
    func sharedCell() throws {
        let keys = Self.keysSharingACell(3)
        let engine = try TimelineEngine()
        var output = RecordingOutput()
        var subscriber = Client(1, .binary)
        var writer = Client(2, .binary)
        // Two tails of the first key (its second filed last in the chain), one of each other.
        let tokens = try [keys[0], keys[1], keys[2], keys[0]].map {
            try subscriber.send(.tail(key: $0), .requestStream(initialDemand: 10), to: engine)
        }
        engine.apply(into: &output)
        for (index, key) in keys.enumerated() {
            try writer.send(.insert(key: key, score: Double(index + 1), member: "m\(index)"), .fireAndForget, to: engine)
        }
        engine.apply(into: &output)
        var replies = output.take()
        #expect(try subscriber.events(on: tokens[0], in: replies) == [.insert(key: keys[0], score: 1, member: "m0")])
        #expect(try subscriber.events(on: tokens[1], in: replies) == [.insert(key: keys[1], score: 2, member: "m1")])
        #expect(try subscriber.events(on: tokens[2], in: replies) == [.insert(key: keys[2], score: 3, member: "m2")])
        #expect(try subscriber.events(on: tokens[3], in: replies) == [.insert(key: keys[0], score: 1, member: "m0")])
        // The first key's two tails get the event in the order they started.
        let order = replies.compactMap { [tokens[0], tokens[3]].contains($0.token) ? $0.token : nil }
        #expect(order == [tokens[0], tokens[3]])

        // The chain's head and a middle slot end; the rest still get theirs.
        engine.cancel(TimelineReplyToken(rawValue: tokens[0]))
        engine.cancel(TimelineReplyToken(rawValue: tokens[1]))
        for (index, key) in keys.enumerated() {
            try writer.send(.insert(key: key, score: Double(index + 10), member: "n\(index)"), .fireAndForget, to: engine)
        }
        engine.apply(into: &output)
        replies = output.take()
        #expect(try subscriber.events(on: tokens[0], in: replies).isEmpty)
        #expect(try subscriber.events(on: tokens[1], in: replies).isEmpty)
        #expect(try subscriber.events(on: tokens[2], in: replies) == [.insert(key: keys[2], score: 12, member: "n2")])
        #expect(try subscriber.events(on: tokens[3], in: replies) == [.insert(key: keys[0], score: 10, member: "n0")])

        // A new tail reuses a freed slot and joins the chain's end.
        let again = try subscriber.send(.tail(key: keys[1]), .requestStream(initialDemand: 10), to: engine)
        engine.apply(into: &output)
        try writer.send(.insert(key: keys[1], score: 20, member: "o1"), .fireAndForget, to: engine)
        engine.apply(into: &output)
        replies = output.take()
        #expect(try subscriber.events(on: again, in: replies) == [.insert(key: keys[1], score: 20, member: "o1")])
        #expect(try subscriber.events(on: tokens[2], in: replies).isEmpty)
        #expect(engine.tailCount == 3)
    }
}
