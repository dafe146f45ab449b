/// Median, minimum and maximum of the repeated runs of one (case, metric): one CSV row.
struct Summary: Sendable {
    let suite: String
    let caseName: String
    let metric: String
    let median: Double
    let min: Double
    let max: Double
    let runs: Int
    let unit: String

    /// Groups samples by (case, metric), keeping first-recorded order, and summarises each group.
    static func summarise(suite: String, samples: [Sample]) -> [Summary] {
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
    static func median(ofSorted values: [Double]) -> Double {
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }
}
