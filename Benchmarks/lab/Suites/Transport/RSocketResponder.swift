import Harness
import Synchronization
import Transport

/// What the server process's responder reports to its main thread.
final class RSocketServerCounts: Sendable {
    /// Frames seen (fire-and-forget) or answered (request-response).
    let frames = Atomic<Int>(0)
    /// The poll thread's allocation count when the first timed frame arrived, and after the last.
    let allocationsAtStart = Atomic<UInt64>(0)
    let allocationsAtEnd = Atomic<UInt64>(0)
    /// CLOCK_MONOTONIC nanoseconds of the last frame.
    let endNanos = Atomic<Int64>(0)
    /// Requests that were not 32 bytes.
    let errors = Atomic<Int>(0)
}

/// The lab's responder: counts fire-and-forget frames, echoes request-response data; reads
/// the poll thread's allocation count at the first timed frame and at the last.
final class RSocketLabResponder: Responder {
    let counts: RSocketServerCounts
    let warmup: Int
    let expected: Int
    private var frames = 0

    init(counts: RSocketServerCounts, warmup: Int, expected: Int) {
        self.counts = counts
        self.warmup = warmup
        self.expected = expected
    }

    func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {
        if payload.unsafeData.count != RSocketCase.payload { counts.errors.add(1, ordering: .relaxed) }
        count()
    }

    func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        if payload.unsafeData.count != RSocketCase.payload { counts.errors.add(1, ordering: .relaxed) }
        output.next(payload.unsafeData)
        count()
    }

    /// One more frame; stamps the allocation count and the time at the edges of the timed part.
    private func count() {
        frames += 1
        if frames == warmup + 1 { counts.allocationsAtStart.store(AllocationCounts.current.mallocs, ordering: .relaxed) }
        if frames == expected {
            counts.allocationsAtEnd.store(AllocationCounts.current.mallocs, ordering: .relaxed)
            counts.endNanos.store(monotonicNanos(), ordering: .relaxed)
        }
        counts.frames.store(frames, ordering: .releasing)
    }
}
