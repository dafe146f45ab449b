import CRingside
import Glibc
import LabKit
import ShmRing
import Synchronization

/// The control block of one timeline run: the last region of the run's segment, through
/// which the lab, the server peer and the client peers start together, step through the
/// phases and hand their figures back. Every field is an Int64 alone on the package's
/// cache-line padding (128 bytes), accessed atomically; the region before it holds the
/// producers' write stamps (``TimelineStamps``).
struct TimelineControl {
    /// Bytes the control region needs (64 fields).
    static let regionSize = 64 * Int(RINGSIDE_CACHE_LINE_PADDING)

    private let base: UnsafeMutableRawPointer

    /// The control block in `bytes` (a region of at least ``regionSize`` bytes).
    init(_ bytes: UnsafeMutableRawBufferPointer) throws {
        guard bytes.count >= TimelineControl.regionSize, let base = bytes.baseAddress else {
            throw LabError("timeline control region of \(bytes.count) bytes; \(TimelineControl.regionSize) needed")
        }
        self.base = base
    }

    private func field(_ index: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        (base + Int(RINGSIDE_CACHE_LINE_PADDING) * index).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    /// 1 once the server serves (and ``serverPort`` holds its TCP port, when it listens).
    var serverReady: UnsafeMutablePointer<Atomic<Int64>> { field(0) }
    /// The port the server's TCP listener got.
    var serverPort: UnsafeMutablePointer<Atomic<Int64>> { field(1) }
    /// Set to 1 by the lab: the server stops cleanly and exits.
    var serverStop: UnsafeMutablePointer<Atomic<Int64>> { field(2) }
    /// 1 once the subscriber's tails are registered with the server.
    var subscriberReady: UnsafeMutablePointer<Atomic<Int64>> { field(3) }
    /// Set to 1 by the lab: the subscriber stores its figures and exits.
    var subscriberStop: UnsafeMutablePointer<Atomic<Int64>> { field(4) }
    /// Producers connected and waiting for ``go``.
    var producersReady: UnsafeMutablePointer<Atomic<Int64>> { field(5) }
    /// Set to 1 by the lab when every producer is ready: the timed part starts.
    var go: UnsafeMutablePointer<Atomic<Int64>> { field(6) }
    /// CLOCK_MONOTONIC nanoseconds of the first write (the first producer to start).
    var startNanos: UnsafeMutablePointer<Atomic<Int64>> { field(7) }
    /// CLOCK_MONOTONIC nanoseconds when the last producer's closing select was answered.
    var endNanos: UnsafeMutablePointer<Atomic<Int64>> { field(8) }
    /// Producers done with the loaded phase (their closing select answered).
    var producersDone: UnsafeMutablePointer<Atomic<Int64>> { field(9) }
    /// Events of the loaded phase written to tailed keys, all producers together.
    var tailedWrites: UnsafeMutablePointer<Atomic<Int64>> { field(10) }
    /// Events the subscriber has held, both phases.
    var seen: UnsafeMutablePointer<Atomic<Int64>> { field(11) }
    /// The stamp of the probe in flight (the one-at-a-time phase).
    var probeStamp: UnsafeMutablePointer<Atomic<Int64>> { field(12) }
    /// Events that were not what the workload wrote (wrong key, unknown member, late).
    var errors: UnsafeMutablePointer<Atomic<Int64>> { field(13) }
    /// Pipelined selects per second, as a Double's bits.
    var selectRate: UnsafeMutablePointer<Atomic<Int64>> { field(14) }
    /// Counts one more event held by the subscriber (a producer waiting for its probe goes on
    /// from here).
    func noteSeen() {
        seen.pointee.wrappingAdd(1, ordering: .releasing)
    }

    /// Where each latency family lives: six fields from its base.
    enum Latency: Int {
        /// Insert to visible, one event in flight (fields 16 to 21).
        case probe = 16
        /// Insert to visible while the producers write flat out (fields 24 to 29).
        case loaded = 24
        /// Select round trips, one at a time (fields 32 to 37).
        case selectRoundTrip = 32
        /// Insert to visible, one event in flight, read by a thread blocking in
        /// `TimelineTail.next()` on a connection of its own (fields 40 to 45).
        case probeBlocking = 40
        /// Insert to visible, one event in flight, written and read by one thread of the
        /// subscriber (its own write, then `TimelineTail.next()`: no hand-over of a CPU
        /// between writer and reader; fields 48 to 53).
        case probeOwn = 48
    }

    /// Stores a latency's histogram figures, for the lab to read once the peer has exited.
    func store(_ percentiles: LatencyHistogram.Percentiles, as latency: Latency) {
        let values = [percentiles.p50, percentiles.p90, percentiles.p99, percentiles.p999, percentiles.max, Int64(percentiles.count)]
        for (index, value) in values.enumerated() {
            field(latency.rawValue + index).pointee.store(value, ordering: .releasing)
        }
    }

    /// The figures a peer stored with ``store(_:as:)``.
    func percentiles(_ latency: Latency) -> LatencyHistogram.Percentiles {
        let value = { (index: Int) in self.field(latency.rawValue + index).pointee.load(ordering: .acquiring) }
        return LatencyHistogram.Percentiles(
            p50: value(0), p90: value(1), p99: value(2), p999: value(3), max: value(4), count: Int(value(5)))
    }

    /// Stamps the start of the timed part, unless another producer already did.
    func markStart() {
        _ = startNanos.pointee.compareExchange(expected: 0, desired: monotonicNanos(), ordering: .relaxed)
    }

    /// Moves ``endNanos`` up to `nanos` (the latest producer wins).
    func markEnd(_ nanos: Int64) {
        var current = endNanos.pointee.load(ordering: .relaxed)
        while current < nanos {
            let (exchanged, original) = endNanos.pointee.compareExchange(expected: current, desired: nanos, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// The producers' write stamps of the loaded phase: CLOCK_MONOTONIC nanoseconds of producer
/// p's event i at slot `p * events + i`, written (for tailed keys only) just before the
/// write is issued and read by the subscriber when the event reaches it.
struct TimelineStamps {
    private let base: UnsafeMutablePointer<Atomic<Int64>>
    /// Events per producer.
    let events: Int
    /// Producers.
    let producers: Int

    /// Bytes the stamps of `producers` × `events` take.
    static func regionSize(producers: Int, events: Int) -> Int { max(1, producers * events) * MemoryLayout<Int64>.stride }

    /// The stamps in `bytes`; throws when the region is too small for them.
    init(_ bytes: UnsafeMutableRawBufferPointer, producers: Int, events: Int) throws {
        guard bytes.count >= Self.regionSize(producers: producers, events: events), let base = bytes.baseAddress else {
            throw LabError("stamp region of \(bytes.count) bytes is too small for \(producers) x \(events) events")
        }
        self.base = base.assumingMemoryBound(to: Atomic<Int64>.self)
        self.events = events
        self.producers = producers
    }

    /// Stamps producer `producer`'s event `index` with the time now.
    @inline(__always)
    func stamp(producer: Int, index: Int) {
        (base + (producer &* events &+ index)).pointee.store(monotonicNanos(), ordering: .relaxed)
    }

    /// The stamp of producer `producer`'s event `index`, or nil outside the table.
    @inline(__always)
    func stamp(ofProducer producer: Int, index: Int) -> Int64? {
        guard producer >= 0, producer < producers, index >= 0, index < events else { return nil }
        return (base + (producer &* events &+ index)).pointee.load(ordering: .relaxed)
    }
}
