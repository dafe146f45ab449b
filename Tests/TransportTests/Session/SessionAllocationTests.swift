import Frames
import Harness
import Testing
@testable import Transport

/// The session's steady state allocates nothing (counted by the malloc interposer on this
/// thread; skipped under a sanitizer, which owns malloc).
@Suite(.enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct SessionAllocationTests {
    func allocations(iterations: Int = 1_000, _ body: () -> Void) -> UInt64 {
        // try!: the measurement throws only when /proc/self/fd cannot be listed.
        try! AllocationMeasurement(runs: iterations, body).total.mallocs
    }

    @Test("fire-and-forget, request-response and credited stream payloads allocate nothing")
    func steadyState() {
        var session = SessionHarness()
        let fnf = Wire.fnf(1, "0123456789abcdef0123456789abcdef")
        let rr = Wire.rr(3, "0123456789abcdef0123456789abcdef")
        let answer = [UInt8](repeating: 1, count: 32)
        let stream = Wire.stream(5, Credit.unbounded)
        var seen = 0
        let count = fnf.withUnsafeBytes { fnf in
            rr.withUnsafeBytes { rr in
                answer.withUnsafeBytes { answer in
                    stream.withUnsafeBytes { stream in
                        var ref: StreamRef?
                        if case .requestStream(let r, _, _) = session.machine.receive(stream, now: session.now) { ref = r }
                        return allocations {
                            if case .fireAndForget(let p) = session.machine.receive(fnf, now: session.now) { seen += p.unsafeData.count }
                            if case .requestResponse(let r, _) = session.machine.receive(rr, now: session.now),
                               case .send = session.machine.preparePayload(r, metadata: nil, data: answer, next: true, complete: false) {
                                seen += 1
                            }
                            if case .send = session.machine.preparePayload(ref!, metadata: nil, data: answer, next: true, complete: false) { seen += 1 }
                            _ = session.machine.tick(now: session.now)
                        }
                    }
                }
            }
        }
        #expect(count == 0)
        #expect(seen == 1_001 * 34)
    }
}
