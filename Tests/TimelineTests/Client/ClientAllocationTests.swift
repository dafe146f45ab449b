import Harness
import Testing
import Timeline
import Transport

/// A steady-state binary write allocates nothing on the caller's thread: the request is
/// written on the stack, the answer read in place (counted by the malloc interposer on this
/// thread; skipped under a sanitizer, which owns malloc).
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct ClientAllocationTests {
    /// Fire-and-forget and acknowledged inserts and deletes: the mallocs of each of 500
    /// rounds, and how long the rounds took.
    static func writeAllocations(_ client: TimelineClient) throws -> (rounds: [UInt64], elapsed: Duration) {
        let key: [UInt8] = Array("timeline-key".utf8)
        var member = [UInt8](repeating: 0x61, count: TimelineWorkload.memberLength)
        var score = 0.0
        let start = ContinuousClock.now
        let measured = try AllocationMeasurement(runs: 500) {
            score += 1
            member.withUnsafeMutableBytes { TimelineWorkload.writeMember(producer: 1, index: Int(score), into: $0) }
            try client.insert(key: key, score: score, member: member, delivery: .fireAndForget)
            try client.insert(key: key, score: score, member: member)
            try client.delete(key: key, score: score, member: member, delivery: .fireAndForget)
            try client.delete(key: key, score: score, member: "gone".utf8)
        }
        let elapsed = ContinuousClock.now - start
        #expect(try client.select(key: key, offset: 0, limit: 0).isEmpty)
        return (measured.runs.map(\.mallocs), elapsed)
    }

    @Test("writes allocate nothing: the client and the connection (loopback carrier)")
    func loopback() throws {
        let server = try ClientTestServer("alloc")
        defer { server.stop() }
        let client = try server.client(.loopback)
        defer { client.close() }
        #expect(try Self.writeAllocations(client).rounds.reduce(0, +) == 0)
    }

    @Test("writes over shared memory allocate nothing but the carrier's periodic liveness pass")
    func sharedMemory() throws {
        let server = try ClientTestServer("alloc")
        defer { server.stop() }
        // The carrier's liveness pass (once per interval, when the client polls; it reads
        // /proc) allocates; every other round must allocate nothing.
        let interval = Duration.milliseconds(500)
        let carrier = try SharedMemoryClientCarrier(configuration: .init(name: server.name, livenessInterval: interval))
        let client = try TimelineClient(carrier: carrier)
        defer { client.close() }
        let (rounds, elapsed) = try Self.writeAllocations(client)
        let allocating = rounds.filter { $0 > 0 }.count
        #expect(allocating <= Int(elapsed / interval) + 2, "\(allocating) of 500 rounds allocated in \(elapsed)")
        #expect(rounds.count == 500)
    }

    @Test("writes over TCP allocate nothing")
    func tcp() throws {
        let server = try ClientTestServer("alloc")
        defer { server.stop() }
        let client = try server.client(.tcp)
        defer { client.close() }
        let total = try Self.writeAllocations(client).rounds.reduce(0, +)
        #expect(total == 0)
    }
}
