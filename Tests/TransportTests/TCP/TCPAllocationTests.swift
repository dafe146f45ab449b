import Harness
import Testing
@testable import Transport

extension TCPTests {
    @Suite("TCP carrier: allocations")
    struct Allocations {
        @Test("steady state allocates nothing: the writer's poll, send and flush and the client's send and receive",
              .enabled(if: AllocationCounts.areCounted))
        func steadyState() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { client.close() }
            let frame = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
            defer { frame.deallocate() }
            frame.copyBytes(from: testFrame(pattern(26, seed: 1)))
            var failures = 0
            let carrier = server.carrier
            // One round trip: the client sends, the writer echoes, the client receives; both
            // spin on this thread (bounded), so every allocation they make is counted here.
            // No closure captures a `var` (a debug build would box it on the heap).
            func roundTrip() throws -> Bool {
                _ = try client.send(UnsafeRawBufferPointer(frame))
                var echoed = 0
                for _ in 0..<1_000_000 {
                    if echoed == 0 {
                        echoed = carrier.poll(limit: 16) { event in
                            guard case .frame(let id, let bytes) = event else { return }
                            _ = carrier.send(bytes, to: id)
                        }
                        carrier.flush()
                    }
                    let received = try client.receive(limit: 16) { _ in }
                    if received > 0 { return received == 1 }
                }
                return false
            }
            #expect(server.run { server.opened.count == 1 })
            for _ in 0..<100 where try !roundTrip() { failures += 1 }  // warm-up: buffers leased, pages touched
            let (lost, counts) = try AllocationCounts.counting {
                var lost = 0
                for _ in 0..<1000 where try !roundTrip() { lost += 1 }
                return lost
            }
            failures += lost
            #expect(failures == 0)
            #expect(counts.mallocs == 0, "\(counts)")
        }
    }
}
