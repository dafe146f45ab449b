import Foundation
@testable import LabKit
import SeededRandom
import Testing

/// The histogram's percentiles against the exact ones of known samples, within its stated
/// relative error.
@Suite struct LatencyHistogramTests {
    /// The exact sample of nearest rank `ceil(p / 100 * n)`, as the histogram defines it.
    static func exact(_ sorted: [Int64], _ percentile: Double) -> Int64 {
        let rank = max(1, Int((percentile / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(sorted.count, rank) - 1]
    }

    /// Records `samples` and checks p50 ... p99.99 and the extremes against the exact values.
    static func check(_ samples: [Int64], precisionBits: Int = LatencyHistogram.defaultPrecisionBits) {
        var histogram = LatencyHistogram(precisionBits: precisionBits)
        for sample in samples { histogram.record(sample) }
        let sorted = samples.sorted()
        #expect(histogram.count == samples.count)
        #expect(histogram.min == sorted.first)
        #expect(histogram.max == sorted.last)
        for percentile in [0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100] {
            let exact = Self.exact(sorted, percentile)
            let reported = histogram.value(atPercentile: percentile)
            let error = abs(Double(reported - exact)) / Double(max(exact, 1))
            #expect(error <= histogram.relativeError, "p\(percentile): \(reported) for exact \(exact), error \(error)")
        }
    }

    @Test func uniformSamplesWithinTheStatedError() {
        var random = SplitMix64(seed: 1)
        Self.check((0..<200_000).map { _ in Int64(random.next() % 1_000_000) })
    }

    @Test func bimodalSamplesWithinTheStatedError() {
        // Most round trips near 300 ns, one in ten near 40 µs (a descheduled peer).
        var random = SplitMix64(seed: 2)
        Self.check((0..<200_000).map { _ in
            random.next() % 10 == 0 ? 40_000 + Int64(random.next() % 5_000) : 280 + Int64(random.next() % 60)
        })
    }

    @Test func heavyTailedSamplesWithinTheStatedError() {
        // Pareto with shape 1.1 from 100 ns: a tail reaching seconds.
        var random = SplitMix64(seed: 3)
        let samples = (0..<200_000).map { _ -> Int64 in
            let u = (Double(random.next() >> 11) + 1) / Double(1 << 53)
            return Int64(min(1e15, 100 / pow(u, 1 / 1.1)))
        }
        #expect(samples.max()! > 100_000_000)
        Self.check(samples)
    }

    @Test func coarserPrecisionKeepsItsOwnBound() {
        var random = SplitMix64(seed: 4)
        Self.check((0..<50_000).map { _ in Int64(random.next() % 10_000_000) }, precisionBits: 4)
    }

    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for value in 0..<256 { histogram.record(Int64(value)) }
        for value in 1...256 {
            #expect(histogram.value(atPercentile: Double(value) / 256 * 100) == Int64(value - 1))
        }
    }

    @Test func emptyNegativeMergedAndReset() {
        var histogram = LatencyHistogram()
        #expect(histogram.value(atPercentile: 50) == 0)
        #expect(histogram.percentiles == LatencyHistogram.Percentiles(p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0))
        histogram.record(-5)
        #expect(histogram.min == 0 && histogram.max == 0 && histogram.count == 1)
        var other = LatencyHistogram()
        for value in [1_000, 2_000, 3_000] { other.record(Int64(value)) }
        histogram.add(other)
        #expect(histogram.count == 4)
        #expect(histogram.max == 3_000)
        #expect(histogram.value(atPercentile: 50) == 1_000 || abs(histogram.value(atPercentile: 50) - 1_000) <= 4)
        histogram.reset()
        #expect(histogram.count == 0 && histogram.value(atPercentile: 99) == 0)
    }

    @Test func percentilesNameTheMetricSuffixes() {
        var histogram = LatencyHistogram()
        for value in 1...1_000 { histogram.record(Int64(value)) }
        let named = histogram.percentiles.named
        #expect(named.map(\.suffix) == ["p50", "p90", "p99", "p999", "max"])
        #expect(named.map(\.value) == named.map(\.value).sorted())
        #expect(histogram.percentiles.max == 1_000)
        #expect(histogram.percentiles.count == 1_000)
    }
}
