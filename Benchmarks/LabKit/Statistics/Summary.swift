/// One recorded measurement of one (case, metric).
package struct Sample: Sendable {
    /// The stable case name (`shm-spsc-32B`).
    package let caseName: String
    /// The stable metric name (`msgs_per_s`).
    package let metric: String
    /// The measured value.
    package let value: Double
    /// Its unit (`msg/s`).
    package let unit: String

    /// A measurement of `metric` for `caseName`.
    package init(caseName: String, metric: String, value: Double, unit: String) {
        self.caseName = caseName
        self.metric = metric
        self.value = value
        self.unit = unit
    }
}

/// Median, minimum and maximum of the repeated runs of one (case, metric): one CSV row.
package struct Summary: Sendable, Equatable {
    /// The suite that measured it.
    package let suite: String
    /// The stable case name.
    package let caseName: String
    /// The stable metric name.
    package let metric: String
    /// The median of the runs (the mean of the middle two for an even count).
    package let median: Double
    /// The smallest run.
    package let min: Double
    /// The largest run.
    package let max: Double
    /// How many runs were kept.
    package let runs: Int
    /// The unit.
    package let unit: String

    /// A row made of its fields.
    package init(suite: String, caseName: String, metric: String, median: Double, min: Double, max: Double, runs: Int, unit: String) {
        self.suite = suite
        self.caseName = caseName
        self.metric = metric
        self.median = median
        self.min = min
        self.max = max
        self.runs = runs
        self.unit = unit
    }

    /// Groups samples by (case, metric), keeping first-recorded order, and summarises each group.
    package static func summarise(suite: String, samples: [Sample]) -> [Summary] {
        var order: [String] = []
        var groups: [String: [Sample]] = [:]
        for sample in samples {
            let key = sample.caseName + "\u{0}" + sample.metric
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(sample)
        }
        return order.map { key in
            let group = groups[key]!
            let values = group.map(\.value).sorted()
            return Summary(
                suite: suite, caseName: group[0].caseName, metric: group[0].metric,
                median: median(ofSorted: values), min: values.first!, max: values.last!,
                runs: values.count, unit: group[0].unit)
        }
    }

    /// The median of a sorted, non-empty array (the mean of the middle two for an even count).
    package static func median(ofSorted values: [Double]) -> Double {
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }
}
