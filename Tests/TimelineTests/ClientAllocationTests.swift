import Harness
import Testing
import Timeline

/// A steady-state binary write allocates nothing on the caller's thread: the request is
/// written on the stack, the answer read in place (counted by the malloc interposer on this
/// thread; skipped under a sanitizer, which owns malloc).
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct ClientAllocationTests {
    @Test("fire-and-forget and acknowledged inserts and deletes allocate nothing", arguments: [ClientCarrier.loopback, .sharedMemory, .tcp])
    func steadyStateWrites(carrier: ClientCarrier) throws {
        let server = try ClientTestServer("alloc")
        defer { server.stop() }
        let client = try server.client(carrier)
        defer { client.close() }
        let key: [UInt8] = Array("timeline-key".utf8)
        var member = [UInt8](repeating: 0x61, count: 16)
        var score = 0.0
        let measured = try AllocationMeasurement(runs: 500) {
            score += 1
            member.withUnsafeMutableBytes { TimelineWorkload.writeMember(producer: 1, index: Int(score), into: $0) }
            try client.insert(key: key, score: score, member: member, delivery: .fireAndForget)
            try client.insert(key: key, score: score, member: member)
            try client.delete(key: key, score: score, member: member, delivery: .fireAndForget)
            try client.delete(key: key, score: score, member: "gone".utf8)
        }
        #expect(measured.total.mallocs == 0)
        #expect(try client.select(key: key, offset: 0, limit: 0).isEmpty)
    }
}
