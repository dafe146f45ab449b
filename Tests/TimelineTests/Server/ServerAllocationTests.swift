import Foundation
import Frames
import Harness
import ShmRing
import Synchronization
import Testing
import Timeline
import Transport

/// A loopback carrier that, each time the server's poll thread polls it, stores that
/// thread's allocation count: the test reads how much the poll thread allocated between two
/// moments without running on it.
final class AllocationWatchingCarrier: ServerCarrier, @unchecked Sendable {
    // @unchecked: the wrapped carrier is itself @unchecked Sendable (one caller at a time, the
    // poll thread), and the count is atomic.
    let inner: LoopbackServerCarrier
    let pollThreadAllocations = Atomic<UInt64>(0)

    init(doorbell: Doorbell) { inner = LoopbackServerCarrier(doorbell: doorbell) }

    var maxFrameLength: Int { inner.maxFrameLength }

    func poll(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        pollThreadAllocations.store(AllocationCounts.current.mallocs, ordering: .releasing)
        return inner.poll(limit: limit, handler)
    }

    func send(_ frame: UnsafeRawBufferPointer, to connection: ConnectionID) -> SendOutcome { inner.send(frame, to: connection) }
    func flush() { inner.flush() }
    func close(_ connection: ConnectionID) { inner.close(connection) }
    func shutdown() { inner.shutdown() }
}

/// The transport's own cost: answers every request-response with one small payload at once
/// and ignores fire-and-forget.
final class BaselineResponder: Responder {
    private let answer = [UInt8](repeating: 1, count: 16)

    func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        answer.withUnsafeBytes { _ = output.next($0, complete: true) }
    }
}

/// The Timeline layer adds no allocation to the poll thread's steady state: binary inserts
/// by fire-and-forget and request-response, and selects, cost it exactly what the same
/// frames cost a responder that answers at once, within a few allocations of how the
/// rounds happen to batch. (The transport's server loop itself
/// allocates in a debug build, where a dictionary's in-place `_modify` accessor allocates
/// its coroutine frame; the baseline measures that.)
@Suite("Timeline server allocations", .serialized, .enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
struct ServerAllocationTests {
    static let warmUpRounds = 400
    static let rounds = 200

    /// The poll thread's allocations for `rounds` rounds of traffic, after a warm-up.
    private func measure(_ carrier: AllocationWatchingCarrier) async throws -> UInt64 {
        let writer = try TimelineCaller(try carrier.inner.connect(), .binary)
        let select = try writer.codec.encode(.select(key: "k", offset: 0, limit: 10))
        var score = 0.0
        // Sixteen members rewritten with rising scores: the set keeps its size, so its
        // storage does not grow (growth allocates, as it should).
        func round(_ count: Int) throws {
            for index in 0 ..< count {
                score += 1
                try writer.send(.insert(key: "k", score: score, member: "member-\(index % 16)"))
                score += 1
                _ = try writer.callRaw(try writer.codec.encode(.insert(key: "k", score: score, member: "member-\((index + 8) % 16)")))
                _ = try writer.callRaw(select)
            }
        }
        try round(Self.warmUpRounds)   // tables, buffers and queues grow to their working size
        try await Task.sleep(for: .milliseconds(300))
        let before = carrier.pollThreadAllocations.load(ordering: .acquiring)
        try round(Self.rounds)
        try await Task.sleep(for: .milliseconds(300))
        return carrier.pollThreadAllocations.load(ordering: .acquiring) - before
    }

    @Test("selects and inserts cost the poll thread no more than the transport alone (in memory, and with group commit)", arguments: [false, true])
    func steadyState(durable: Bool) async throws {
        let directory = temporaryDirectory("alloc")
        defer { removeDirectory(directory) }
        let baselineBell = ProcessDoorbell()
        let baselineCarrier = AllocationWatchingCarrier(doorbell: baselineBell.doorbell)
        let baselineServer = try TransportServer(carriers: [baselineCarrier], responder: BaselineResponder(), processDoorbell: baselineBell)
        let baseline = try await measure(baselineCarrier)
        baselineServer.stop()

        let bell = ProcessDoorbell()
        let carrier = AllocationWatchingCarrier(doorbell: bell.doorbell)
        let server = try TimelineServer(carriers: [carrier], processDoorbell: bell, configuration: .init(dataDirectory: durable ? directory : nil, publishesStat: false))
        let timeline = try await measure(carrier)
        try server.stop()
        print("poll thread allocations\(durable ? " (durable)" : "") for \(Self.rounds) rounds (fnf insert, rr insert, rr select): transport alone \(baseline), timeline \(timeline)")
        // A few allocations either way come from how the transport's rounds batch frames (its
        // debug-build flush loop allocates per round, not per request); one allocation per
        // request of the Timeline layer would add `3 * rounds`.
        #expect(timeline <= baseline + UInt64(Self.rounds / 10), "the Timeline layer added \(Int64(timeline) - Int64(baseline)) allocations over \(Self.rounds * 3) requests")
    }
}
