/// Every suite of the lab, in the order `lab` runs them on defaults.
let allSuites: [Suite] = [
    .transport,
    .encoding,
    .contention,
    .lww,
    .peers,
]

extension Suite {
    /// Seconds each suite takes on defaults (5 runs, scale 1) on the 2-core reference
    /// machine: the progress line's estimate of the time left.
    static let defaultSeconds: [String: Double] = [
        "transport": 40, "encoding": 15, "contention": 30, "lww": 25, "peers": 10, "timeline": 40,
    ]
}
