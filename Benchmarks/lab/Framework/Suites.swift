/// Every suite of the lab, in the order `lab` runs them on defaults.
let allSuites: [Suite] = [
    .transport,
    .encoding,
    .contention,
    .lww,
]
