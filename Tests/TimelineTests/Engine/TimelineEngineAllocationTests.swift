import Frames
import Harness
import LWWSet
import Testing
import Timeline

/// An output that keeps a checksum of what it is given and allocates nothing.
struct ChecksumOutput: TimelineEngineOutput {
    let buffer: UnsafeMutableRawBufferPointer
    var responses = 0
    var events = 0
    var failures = 0
    var checksum = 0

    mutating func respond(to token: TimelineReplyToken, with data: some FrameEncodable) {
        let count = data.encodedByteCount
        guard count <= buffer.count else { return }
        data.unsafeEncode(into: buffer)
        responses += 1
        checksum &+= count &+ Int(buffer[count - 1])
    }

    mutating func emit(to token: TimelineReplyToken, event: some FrameEncodable) -> Bool {
        let count = event.encodedByteCount
        guard count <= buffer.count else { return true }
        event.unsafeEncode(into: buffer)
        events += 1
        checksum &+= count
        return true
    }

    mutating func fail(_ token: TimelineReplyToken, code: ErrorCode, reason: String) {
        failures += 1
    }

    mutating func complete(_ token: TimelineReplyToken) {}
}

/// The engine's steady state allocates nothing for binary requests: counted by the malloc
/// interposer on this thread, which a sanitizer build leaves out (the suite is then skipped).
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct TimelineEngineAllocationTests {
    /// Binary insert batches of 32 writes over 8 keys (increasing scores, sets at their bound
    /// of 16), each followed by a top-10 select of one key.
    static func messages(batches: Int) throws -> (batches: [[UInt8]], selects: [[UInt8]]) {
        let client = Client(1, .binary)
        var score = 0.0
        let batchBytes = try (0..<batches).map { _ in
            try client.encode(.insertBatch(writes: (0..<32).map { index in
                score += 1
                return write("timeline:\(index % 8)", score, "member-\(Int(score) % 100)-0123456")
            }))
        }
        let selectBytes = try (0..<8).map { try client.encode(.select(key: "timeline:\($0)", offset: 0, limit: 10)) }
        return (batchBytes, selectBytes)
    }

    @Test("a steady-state binary batch (insert batch, top-10 select, a tail) allocates nothing", arguments: [false, true])
    func steadyState(withTail: Bool) throws {
        let engine = try TimelineEngine(configuration: .init(maxSize: 16))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { buffer.deallocate() }
        var output = ChecksumOutput(buffer: buffer)
        var subscriber = Client(9, .binary)
        if withTail {
            try subscriber.send(.tail(key: "timeline:3"), .requestStream(initialDemand: UInt32.max), to: engine)
        }
        let (batches, selects) = try Self.messages(batches: 400)
        let connection = TimelineConnection(rawValue: 1)
        func round(_ index: Int) {
            batches[index].withUnsafeBytes {
                engine.submit($0, encoding: .binary, interaction: .requestResponse, connection: connection, token: TimelineReplyToken(rawValue: 1))
            }
            selects[index % selects.count].withUnsafeBytes {
                engine.submit($0, encoding: .binary, interaction: .requestResponse, connection: connection, token: TimelineReplyToken(rawValue: 2))
            }
            engine.apply(into: &output)
        }
        // Warm up: every set reaches its bound, every reused buffer its size.
        for index in 0..<200 { round(index) }
        var next = 200
        let measured = try AllocationMeasurement(warmUp: false, runs: 200) {
            round(next)
            next += 1
        }
        #expect(measured.total.mallocs == 0)
        #expect(output.failures == 0)
        #expect(output.responses == 800)
        #expect(output.events == (withTail ? 399 * 4 : 0))   // the tail starts after the first batch
        #expect(engine.counters.writesApplied == 400 * 32)
    }
}
