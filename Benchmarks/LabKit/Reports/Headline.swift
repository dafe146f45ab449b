/// The comparisons that matter, each as one ratio: the lab's closing table and the top of
/// `results/README.md`. A row whose cases did not run is left out.
package enum Headline {
    /// One comparison: `subject` against `reference`, as a ratio where above 1 means the
    /// subject is better (throughputs divide subject by reference, latencies the other way).
    package struct Comparison: Sendable {
        /// The group the row belongs to (`shm vs TCP`, `vs Redis`, ...).
        package let group: String
        /// The case measured (Ringside's, or the single writer's).
        package let subject: String
        /// The case it is held against (TCP, JSON, contended, Redis).
        package let reference: String
        /// The metric both are compared on.
        package let metric: String
        /// Whether larger values are better (throughput) or smaller (latency, ns per op).
        package let higherIsBetter: Bool

        /// `subject` against `reference` on `metric`.
        package init(_ group: String, _ subject: String, _ reference: String, _ metric: String, higherIsBetter: Bool) {
            self.group = group
            self.subject = subject
            self.reference = reference
            self.metric = metric
            self.higherIsBetter = higherIsBetter
        }
    }

    /// One row of the table.
    package struct Row: Sendable, Equatable {
        /// The comparison group.
        package let group: String
        /// What is compared, in words (`shm-spsc-32B vs tcp-32B`).
        package let title: String
        /// The metric.
        package let metric: String
        /// The ratio (above 1: the subject is better).
        package let ratio: Double
        /// The two medians with their unit, for the reader to check.
        package let figures: String
    }

    /// Every comparison the lab knows; rows appear as their cases come to exist (the
    /// transport suite's TCP twins, the timeline suite's Ringside twins of Redis).
    package static let comparisons: [Comparison] = [
        Comparison("shm vs TCP", "shm-spsc-32B", "tcp-32B", "msgs_per_s", higherIsBetter: true),
        Comparison("shm vs TCP", "shm-spsc-4096B", "tcp-4096B", "msgs_per_s", higherIsBetter: true),
        Comparison("shm vs TCP", "shm-pingpong-32B", "tcp-pingpong-32B", "rtt_p50_ns", higherIsBetter: false),
        // The hardware's own shm-vs-TCP ratio: the raw probes' round trips, measured beside the
        // cases, bound every shm-vs-TCP latency ratio a carrier can honestly show.
        Comparison("shm vs TCP", "limit-pingpong", "limit-tcp-pingpong", "rtt_p50_ns", higherIsBetter: false),
        Comparison("shm vs TCP", "rsocket-shm-fnf", "rsocket-tcp-fnf", "frames_per_s", higherIsBetter: true),
        Comparison("shm vs TCP", "rsocket-shm-rr", "rsocket-tcp-rr", "rtt_p50_ns", higherIsBetter: false),
        Comparison("shm vs TCP", "timeline-shm-binary", "timeline-tcp-binary", "events_per_s", higherIsBetter: true),
        Comparison("shm vs TCP", "timeline-shm-select-top10", "timeline-tcp-select-top10", "rtt_p50_ns", higherIsBetter: false),
        Comparison("binary vs JSON", "event-binary-roundtrip", "event-json-roundtrip", "ops_per_s", higherIsBetter: true),
        Comparison("binary vs JSON", "event-binary-encode", "event-json-encode", "ops_per_s", higherIsBetter: true),
        Comparison("binary vs JSON", "event-binary-decode", "event-json-decode", "ops_per_s", higherIsBetter: true),
        Comparison("binary vs JSON", "timeline-tcp-binary", "timeline-tcp-json", "events_per_s", higherIsBetter: true),
        Comparison("binary vs JSON", "timeline-shm-binary", "timeline-tcp-json", "events_per_s", higherIsBetter: true),
        Comparison("single writer vs contended", "single-writer-2", "contended-2", "ns_per_inc", higherIsBetter: false),
        Comparison("single writer vs contended", "single-writer-2", "cas-2", "ns_per_inc", higherIsBetter: false),
        Comparison("single writer vs contended", "single-writer-8", "lock-8", "ns_per_inc", higherIsBetter: false),
        Comparison("pool vs malloc", "pool-lease-return", "alloc-free", "ops_per_s", higherIsBetter: true),
        // Writes that land just below a key's top (events a little out of order) against the
        // same writes in order, one fresh set each, in the same run.
        Comparison("out of order vs in order", "lww-insert-near-top-batched", "lww-insert-above-top-batched", "ns_per_op", higherIsBetter: false),
        Comparison("service vs its parts", "timeline-shm-binary", "lww-insert-batched", "events_per_s/ops_per_s", higherIsBetter: true),
        Comparison("service vs its parts", "timeline-shm-binary", "timeline-set-alone", "events_per_s", higherIsBetter: true),
        Comparison("service vs its parts", "timeline-shm-binary-batched", "lww-insert-batched", "events_per_s/ops_per_s", higherIsBetter: true),
        Comparison("service vs its parts", "timeline-shm-binary", "shm-pingpong-32B", "insert_to_visible_p50_ns/rtt_p50_ns", higherIsBetter: false),
        Comparison("service vs its parts", "timeline-shm-binary", "shm-pingpong-32B", "insert_to_visible_blocking_p50_ns/rtt_p50_ns", higherIsBetter: false),
        Comparison("service vs its parts", "timeline-shm-binary", "shm-pingpong-32B", "insert_to_visible_own_p50_ns/rtt_p50_ns", higherIsBetter: false),
        Comparison("service vs its parts", "timeline-shm-binary-durable", "timeline-shm-binary", "events_per_s", higherIsBetter: true),
        Comparison("Ringside vs Redis", "timeline-shm-binary", "redis-zadd-pipelined", "events_per_s/ops_per_s", higherIsBetter: true),
        Comparison("Ringside vs Redis", "timeline-tcp-binary", "redis-zadd-pipelined", "events_per_s/ops_per_s", higherIsBetter: true),
        Comparison("Ringside vs Redis", "timeline-shm-select-top10", "redis-zrevrange-top10", "ops_per_s", higherIsBetter: true),
        Comparison("Ringside vs Redis", "timeline-shm-select-top10", "redis-zrevrange-top10", "rtt_p50_ns", higherIsBetter: false),
        Comparison("Ringside vs Redis", "timeline-tcp-select-top10", "redis-zrevrange-top10", "ops_per_s", higherIsBetter: true),
        Comparison("Ringside vs Redis", "timeline-tcp-select-top10", "redis-zrevrange-top10", "rtt_p50_ns", higherIsBetter: false),
        Comparison("Ringside vs Redis", "lww-insert-batched", "redis-zadd-pipelined", "ops_per_s", higherIsBetter: true),
        Comparison("Ringside vs Redis", "lww-select-top10-batched", "redis-zrevrange-top10", "ops_per_s", higherIsBetter: true),
    ]

    /// The rows for `summaries` (every suite's, from this run or an earlier one): the
    /// comparisons whose two cases exist, every `of_limit` figure against its limit (named
    /// by its unit, `of limit-spsc-32B`) before the Redis rows.
    package static func rows(_ summaries: [Summary]) -> [Row] {
        var byKey: [String: Summary] = [:]
        for row in summaries { byKey[row.caseName + "\u{0}" + row.metric] = row }
        var rows: [Row] = []
        for comparison in comparisons {
            // `A/B`: the subject's metric A against the reference's metric B.
            let metrics = comparison.metric.split(separator: "/").map(String.init)
            let (subjectMetric, referenceMetric) = (metrics[0], metrics.count > 1 ? metrics[1] : metrics[0])
            guard let subject = byKey[comparison.subject + "\u{0}" + subjectMetric],
                  let reference = byKey[comparison.reference + "\u{0}" + referenceMetric],
                  subject.median > 0, reference.median > 0 else { continue }
            let ratio = comparison.higherIsBetter ? subject.median / reference.median : reference.median / subject.median
            rows.append(Row(
                group: comparison.group, title: "\(comparison.subject) vs \(comparison.reference)", metric: subjectMetric,
                ratio: ratio,
                figures: "\(Console.human(subject.median)) vs \(Console.human(reference.median)) \(subject.unit)"))
        }
        let redis = rows.filter { $0.group == "Ringside vs Redis" }
        rows.removeAll { $0.group == "Ringside vs Redis" }
        for row in summaries where row.metric == "of_limit" {
            rows.append(Row(
                group: "of its limit", title: "\(row.caseName) \(row.unit)", metric: "of_limit", ratio: row.median,
                figures: "min \(Console.fixed(row.min, 2)), max \(Console.fixed(row.max, 2)) over \(row.runs) runs"))
        }
        return rows + redis
    }

    /// The rows as a terminal table.
    package static func table(_ rows: [Row]) -> String {
        Report.textTable(
            header: ["comparison", "group", "metric", "ratio", "figures"],
            rows: rows.map { [$0.title, $0.group, $0.metric, Console.fixed($0.ratio, 2) + "x", $0.figures] },
            rightAligned: 3...3)
    }

    /// The rows as a Markdown table (preceded by a blank line, as every Markdown table must be).
    package static func markdown(_ rows: [Row]) -> String {
        var text = "\n| comparison | group | metric | ratio | figures |\n|---|---|---|---:|---|\n"
        for row in rows {
            text += "| \(row.title) | \(row.group) | `\(row.metric)` | \(Console.fixed(row.ratio, 2))x | \(row.figures) |\n"
        }
        return text + "\n"
    }
}
