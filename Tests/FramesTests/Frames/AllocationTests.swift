import Harness
import Testing
@testable import Frames

/// Steady-state hot paths allocate nothing. Counted by the malloc interposer on this thread
/// only, around synchronous loops (the test runner's own allocations are on other calls).
/// A sanitizer build does not interpose malloc, so there these tests are skipped.
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct AllocationTests {
    @Test("the interposer is counting")
    func counting() throws {
        let measured = try AllocationMeasurement(runs: 10) {
            _ = [Int](repeating: 0, count: Int(AllocationCounts.current.mallocs % 7) + 100)
        }
        #expect(measured.total.mallocs >= 10)
    }

    @Test("encoding and decoding a request frame, and leasing its buffer, allocate nothing")
    func hotPath() throws {
        let pool = BufferPool(bufferSize: 256, capacity: 4)
        let key = Array("timeline:1".utf8)
        let member = Array("track-42".utf8)
        var sink = 0.0
        try key.withUnsafeBytes { key in
            try member.withUnsafeBytes { member in
                let measured = try AllocationMeasurement(runs: 1_000) {
                    var lease = pool.lease()
                    let request = try TimelineRequest.insert(key: key, score: 42, member: member)
                    try lease.withFrameWriter { (writer) throws(FrameError) in
                        try writer.writeRequestFireAndForget(streamID: 3, data: request)
                    }
                    try lease.withUnsafeBytes { raw in
                        let frame = try FrameReader(validating: raw)
                        let event = try TimelineRequest(decoding: frame.unsafeData)
                        sink += event.score + Double(event.unsafeKey.count + event.unsafeMember.count)
                    }
                }
                #expect(measured.total.mallocs == 0)
            }
        }
        #expect(sink == 1001 * 60)
    }

    @Test("a shared pool's lease and return allocate nothing")
    func sharedPool() throws {
        let pool = SharedBufferPool(bufferSize: 256, capacity: 2)
        #expect(try AllocationMeasurement(runs: 1_000) { pool.lease().release() }.total.mallocs == 0)
    }
}
