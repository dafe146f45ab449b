import Frames
import Testing
import Timeline

/// Large batches: a poll that brings more request bytes than `TimelineResponder.applyBytes`
/// is applied in parts, in the middle of the poll; order still holds within a connection
/// and across the parts, and a tail sees every write in order.
struct ServerBatchTests {
    @Test("64-write batches sent at once: every write lands, a tail sees its key's in order, a select after them sees them")
    func manyBatches() async throws {
        // Nothing spins: the suite's other loopback tests share the two cores, and a server
        // that sleeps between polls finds the batches piled up, as a loaded one does.
        var configuration = TimelineServerConfiguration(publishesStat: false)
        configuration.server.spinPolls = 0
        let fixture = try LoopbackServer(configuration)
        let writer = try fixture.caller(.binary, spinPolls: 0)
        let follower = try fixture.caller(.binary, window: 1024, spinPolls: 0)
        let stream = try follower.tail("k0")
        _ = try follower.call(.select(key: "k0", offset: 0, limit: 1))   // the tail has started
        // 24 batches of 64 (about 2.3 KiB each, 55 KiB in all: over three parts of 16 KiB),
        // fire-and-forget: the loopback carrier queues them, so the server's polls take many
        // at once.
        let batches = 24
        for batch in 0 ..< batches {
            let writes = (0 ..< 64).map { index in
                write("k\(index % 8)", Double(batch * 64 + index + 1), "m\(batch)-\(index)")
            }
            try writer.send(.insertBatch(writes: writes))
        }
        // On the same connection, after every batch: it sees all of them.
        let top = try writer.call(.select(key: "k0", offset: 0, limit: 2))
        let last = (batches - 1) * 64 + 56
        #expect(top == .records([record("m\(batches - 1)-56", Double(last + 1)), record("m\(batches - 1)-48", Double(last - 7))]))
        guard case .records(let lastKey) = try writer.call(.select(key: "k7", offset: 0, limit: 10_000)) else {
            Issue.record("expected records")
            return
        }
        #expect(lastKey.count == batches * 8)
        let tailed = try await events(stream, batches * 8, codec: follower.codec)
        let expected: [TimelineJSONRequest] = (0 ..< batches).flatMap { batch in
            stride(from: 0, to: 64, by: 8).map { index in
                .insert(key: "k0", score: Double(batch * 64 + index + 1), member: "m\(batch)-\(index)")
            }
        }
        #expect(tailed == expected)
    }
}
