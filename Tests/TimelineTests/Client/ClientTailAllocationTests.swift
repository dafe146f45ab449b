import Harness
import Testing
import Timeline

/// What a tail event costs its reader's thread: one allocation, the payload copied out of
/// its frame, whose array becomes the event's member; the event's key shares the tail's own key array
/// (loopback carrier, which has no periodic liveness pass; counted by the malloc interposer
/// on this thread; skipped under a sanitizer, which owns malloc).
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct ClientTailAllocationTests {
    @Test("a tail event read with next() costs one allocation: the payload's copy, which becomes the member")
    func tailEvent() throws {
        let server = try ClientTestServer("tail-alloc")
        defer { server.stop() }
        let client = try server.client(.loopback)
        defer { client.close() }
        let key: [UInt8] = Array("tailed-key".utf8)
        let tail = try client.tail(key: key)
        defer { tail.cancel() }
        // One connection's requests are handled in order: once this is answered, the server
        // holds the tail.
        _ = try client.select(key: key, offset: 0, limit: 1)
        var member = [UInt8](repeating: 0x61, count: TimelineWorkload.memberLength)
        var score = 0.0
        var wrong = 0
        let measured = try AllocationMeasurement(runs: 200) {
            score += 1
            member.withUnsafeMutableBytes { TimelineWorkload.writeMember(producer: 0, index: Int(score), into: $0) }
            // Acknowledged (no allocation): the event is on its way once this returns.
            try client.insert(key: key, score: score, member: member)
            let event = try tail.next()
            if event != TimelineEvent(kind: .insert, key: key, score: score, member: member) { wrong += 1 }
        }
        #expect(wrong == 0)
        // One in the steady state; a few rounds may pay one-off costs (a REQUEST_N list grown
        // once, a blocking call that spun out on a loaded machine and slept).
        let mallocs = measured.runs.map(\.mallocs)
        #expect(mallocs.filter { $0 == 1 }.count >= 190, "\(mallocs)")
        #expect(mallocs.min() == 1, "\(mallocs)")
    }
}
