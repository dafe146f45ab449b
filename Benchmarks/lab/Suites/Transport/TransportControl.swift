import CRingside
import Glibc
import Harness
import LabKit
import Synchronization

/// The control block of a transport case: a region of the case's segment through which the
/// lab and its peer processes start together and hand their results back. Every field is an
/// Int64 alone on the package's cache-line padding (128 bytes), accessed atomically.
struct TransportControl {
    /// Bytes the control region needs.
    static let regionSize = 4096

    private let base: UnsafeMutableRawPointer

    /// The control block in `bytes` (a region of at least ``regionSize`` bytes).
    init(_ bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= TransportControl.regionSize, "control region too small")
        base = bytes.baseAddress!
    }

    private func field(_ index: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        (base + Int(RINGSIDE_CACHE_LINE_PADDING) * index).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    /// Peers that have opened the segment and wait for ``go``.
    var ready: UnsafeMutablePointer<Atomic<Int64>> { field(0) }
    /// Set to 1 by the lab when every peer is ready: the timed part starts.
    var go: UnsafeMutablePointer<Atomic<Int64>> { field(1) }
    /// CLOCK_MONOTONIC nanoseconds when the first message was written.
    var startNanos: UnsafeMutablePointer<Atomic<Int64>> { field(2) }
    /// CLOCK_MONOTONIC nanoseconds when the last message was read.
    var endNanos: UnsafeMutablePointer<Atomic<Int64>> { field(3) }
    /// Messages the consumer received.
    var received: UnsafeMutablePointer<Atomic<Int64>> { field(4) }
    /// Messages out of sequence, of the wrong length, or from an unknown producer.
    var errors: UnsafeMutablePointer<Atomic<Int64>> { field(5) }
    /// Heap allocations made by every process's timed loop, added up.
    var allocations: UnsafeMutablePointer<Atomic<Int64>> { field(6) }
    /// A sum of payload bytes, so that the consumer's copies are used.
    var checksum: UnsafeMutablePointer<Atomic<Int64>> { field(7) }
    /// Stores a latency's histogram figures (fields 8 to 13), for the lab to read back once
    /// the peer has exited.
    func storeLatency(_ percentiles: LatencyHistogram.Percentiles) {
        for (index, value) in [percentiles.p50, percentiles.p90, percentiles.p99, percentiles.p999, percentiles.max,
                               Int64(percentiles.count)].enumerated() {
            field(8 + index).pointee.store(value, ordering: .relaxed)
        }
    }

    /// The latency figures a peer stored with ``storeLatency(_:)``.
    func latency() -> LatencyHistogram.Percentiles {
        let value = { (index: Int) in self.field(8 + index).pointee.load(ordering: .acquiring) }
        return LatencyHistogram.Percentiles(
            p50: value(0), p90: value(1), p99: value(2), p999: value(3), max: value(4), count: Int(value(5)))
    }

    /// Two more words, each on a line of its own, for the raw probes of `CLabLimits`
    /// (the ping and pong words, or a ring's head and tail), as plain `UInt64`s for C.
    var probeWords: (first: UnsafeMutablePointer<UInt64>, second: UnsafeMutablePointer<UInt64>) {
        (UnsafeMutableRawPointer(field(14)).assumingMemoryBound(to: UInt64.self),
         UnsafeMutableRawPointer(field(15)).assumingMemoryBound(to: UInt64.self))
    }

    /// The TCP port a server peer listens on, published once it listens (0 until then; the
    /// client peer waits for it): the tcp-* and rsocket-tcp-* cases.
    var serverPort: UnsafeMutablePointer<Atomic<Int64>> { field(16) }

    /// CPU nanoseconds the client peer's thread spent in its timed loop (the rsocket-shm-fnf
    /// client's send path per frame, free of the time the machine's load kept it off its CPU).
    var clientCPUNanos: UnsafeMutablePointer<Atomic<Int64>> { field(17) }

    /// The calling thread's CPU time in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
    static func threadCPUNanos() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Stamps the start of the timed part, unless another producer already did.
    func markStart() {
        _ = startNanos.pointee.compareExchange(expected: 0, desired: monotonicNanos(), ordering: .relaxed)
    }

    /// Runs a peer's timed loop, adding the heap allocations it made to ``allocations``.
    func countingAllocations(_ loop: () throws -> Void) rethrows {
        let (_, counts) = try AllocationCounts.counting(loop)
        allocations.pointee.wrappingAdd(Int64(counts.mallocs), ordering: .relaxed)
    }

    /// Marks this peer ready, then spins until the lab says go.
    func arriveAndWait() {
        ready.pointee.wrappingAdd(1, ordering: .releasing)
        while go.pointee.load(ordering: .acquiring) == 0 { ringside_cpu_relax() }
    }
}
