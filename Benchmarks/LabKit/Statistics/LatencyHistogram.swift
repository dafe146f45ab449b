/// A histogram of non-negative integer samples (latencies in nanoseconds) with a bounded
/// relative error, on HdrHistogram's log-linear bucket layout (written here, no dependency).
///
/// With `P` precision bits, values below `2^P` each get a bucket of their own (exact); above
/// that, every power of two `[2^m, 2^(m+1))` is split into `2^(P-1)` equal buckets of width
/// `2^(m-P+1)`. A percentile reports the midpoint of the bucket holding the sample of that
/// rank, so it lies within ``relativeError`` (`2^-P`, 0.39 % with the default 8 bits) of the
/// exact sample; ``min`` and ``max`` are kept exactly. Recording is one shift, one add and
/// no allocation (the bucket array is made once, by the initialiser).
package struct LatencyHistogram: Sendable {
    /// Precision bits on defaults: 0.39 % relative error, 7,552 buckets (60 KiB).
    package static let defaultPrecisionBits = 8

    /// Precision bits `P` (1 to 16).
    package let precisionBits: Int
    private var counts: [UInt64]
    /// Samples recorded.
    package private(set) var count = 0
    /// The smallest sample recorded (0 when empty).
    package private(set) var min: Int64 = 0
    /// The largest sample recorded (0 when empty).
    package private(set) var max: Int64 = 0

    /// An empty histogram covering every `Int64` from 0 up.
    package init(precisionBits: Int = LatencyHistogram.defaultPrecisionBits) {
        precondition((1...16).contains(precisionBits), "precision bits must be 1 to 16")
        self.precisionBits = precisionBits
        let half = 1 << (precisionBits - 1)
        // Shifts 0 ... 63 - (P - 1), each holding `half` buckets above the first `half`.
        counts = [UInt64](repeating: 0, count: (64 - precisionBits + 2) * half)
    }

    /// The most a reported percentile can differ from the exact sample, relative to it.
    package var relativeError: Double { 1.0 / Double(1 << precisionBits) }

    /// Records one sample; a negative one counts as 0.
    @inline(__always)
    package mutating func record(_ sample: Int64) {
        let value = UInt64(Swift.max(0, sample))
        counts[bucket(of: value)] &+= 1
        if count == 0 || sample < min { min = Swift.max(0, sample) }
        if sample > max { max = sample }
        count &+= 1
    }

    /// Adds every sample of `other` (same precision) to this histogram.
    package mutating func add(_ other: LatencyHistogram) {
        precondition(other.precisionBits == precisionBits, "histograms of different precision")
        guard other.count > 0 else { return }
        for index in counts.indices { counts[index] &+= other.counts[index] }
        min = count == 0 ? other.min : Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        count += other.count
    }

    /// Forgets every sample (keeps the buckets: no allocation).
    package mutating func reset() {
        for index in counts.indices { counts[index] = 0 }
        (count, min, max) = (0, 0, 0)
    }

    /// The sample of nearest rank `ceil(percentile / 100 * count)` (at least the first),
    /// within ``relativeError``: the midpoint of its bucket, clamped to ``min`` ... ``max``.
    /// 0 for an empty histogram; `percentile` is clamped to 0 ... 100.
    package func value(atPercentile percentile: Double) -> Int64 {
        guard count > 0 else { return 0 }
        let fraction = Swift.min(1, Swift.max(0, percentile / 100))
        let rank = Swift.max(1, UInt64((fraction * Double(count)).rounded(.up)))
        if rank >= UInt64(count) { return max }
        var seen: UInt64 = 0
        for index in counts.indices {
            seen &+= counts[index]
            if seen >= rank {
                let (low, width) = range(ofBucket: index)
                let middle = Int64(clamping: low &+ (width - 1) / 2)
                return Swift.min(max, Swift.max(min, middle))
            }
        }
        return max
    }

    /// The figures the lab reports for a latency: p50, p90, p99, p99.9, max and the count.
    package var percentiles: Percentiles {
        Percentiles(
            p50: value(atPercentile: 50), p90: value(atPercentile: 90), p99: value(atPercentile: 99),
            p999: value(atPercentile: 99.9), max: max, count: count)
    }

    /// The bucket of `value`: the value itself below `2^P`, else its shift times `2^(P-1)`
    /// plus its top `P` bits.
    @inline(__always)
    private func bucket(of value: UInt64) -> Int {
        let top = 63 - (value | 1).leadingZeroBitCount
        let shift = Swift.max(0, top - (precisionBits - 1))
        return shift << (precisionBits - 1) + Int(truncatingIfNeeded: value >> UInt64(shift))
    }

    /// The lowest value and the width of bucket `index`.
    private func range(ofBucket index: Int) -> (low: UInt64, width: UInt64) {
        let half = 1 << (precisionBits - 1)
        guard index >= 2 * half else { return (UInt64(index), 1) }
        let shift = index / half - 1
        let top = UInt64(index - shift * half)
        return (top << UInt64(shift), 1 << UInt64(shift))
    }

    /// A latency's reported figures, in the histogram's unit.
    package struct Percentiles: Sendable, Equatable {
        /// The median.
        package let p50: Int64
        /// The 90th percentile.
        package let p90: Int64
        /// The 99th percentile.
        package let p99: Int64
        /// The 99.9th percentile.
        package let p999: Int64
        /// The largest sample (exact).
        package let max: Int64
        /// Samples recorded.
        package let count: Int

        /// Figures made of their parts (read back from another process).
        package init(p50: Int64, p90: Int64, p99: Int64, p999: Int64, max: Int64, count: Int) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.p999 = p999
            self.max = max
            self.count = count
        }

        /// Every figure, named as the CSV metrics end (`p50`, ..., `max`), with its percentile
        /// (100 for the maximum), in increasing order.
        package var named: [(suffix: String, percentile: Double, value: Int64)] {
            [("p50", 50, p50), ("p90", 90, p90), ("p99", 99, p99), ("p999", 99.9, p999), ("max", 100, max)]
        }
    }
}
