import CAllocCounter
import Testing
@testable import Frames

/// Steady-state hot paths allocate nothing. Counted by the malloc interposer on this thread
/// only, around synchronous loops (the test runner's own allocations are on other calls).
/// A sanitizer build does not interpose malloc, so there these tests are skipped.
@Suite(.enabled(if: ringside_alloc_counter_interposes() != 0, "malloc is not interposed under a sanitizer"))
struct AllocationTests {
    /// Allocations made on this thread by `iterations` runs of `body`, after one warm-up run.
    func allocations(iterations: Int = 1_000, _ body: () throws -> Void) rethrows -> UInt64 {
        try body()
        let before = ringside_thread_allocations()
        for _ in 0..<iterations { try body() }
        return ringside_thread_allocations() - before
    }

    @Test("the interposer is counting")
    func counting() {
        #expect(allocations(iterations: 10) { _ = [Int](repeating: 0, count: Int(ringside_thread_allocations() % 7) + 100) } >= 10)
    }

    @Test("encoding and decoding a request frame, and leasing its buffer, allocate nothing")
    func hotPath() throws {
        let pool = BufferPool(bufferSize: 256, capacity: 4)
        let key = Array("timeline:1".utf8)
        let member = Array("track-42".utf8)
        var sink = 0.0
        try key.withUnsafeBytes { key in
            try member.withUnsafeBytes { member in
                let count = try allocations {
                    var lease = pool.lease()
                    let request = try TimelineRequest.insert(key: key, score: 42, member: member)
                    try lease.withFrameWriter { (writer) throws(FrameError) in
                        try writer.writeRequestFireAndForget(streamID: 3, data: request)
                    }
                    try lease.withUnsafeBytes { raw in
                        let frame = try FrameReader(validating: raw)
                        let event = try TimelineRequest(decoding: frame.data)
                        sink += event.score + Double(event.key.count + event.member.count)
                    }
                }
                #expect(count == 0)
            }
        }
        #expect(sink == 1001 * 60)
    }

    @Test("a shared pool's lease and return allocate nothing")
    func sharedPool() {
        let pool = SharedBufferPool(bufferSize: 256, capacity: 2)
        #expect(allocations { pool.lease().release() } == 0)
    }
}
