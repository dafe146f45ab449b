import CLabLimits

/// The random-read probe the lww suite holds its cases against, measured in the same run
/// (between the cases): one dependent chain of random 64-byte reads over 64 MiB (the latency
/// of one cache and TLB miss), and 16 independent chains walked together (what overlapping
/// misses cost), as `shared/limits/mem_latency.c` measures them.
struct LWWReadProbe: ~Copyable {
    /// The buffer the chains walk: larger than the set's working set, as the C reference's.
    static let bytes = 64 << 20
    /// The chains of the parallel walk.
    static let chains: Int32 = 16

    private let chase: OpaquePointer
    /// Reads per measurement.
    private let steps: Int

    /// A probe over a fresh 64 MiB buffer (built and walked once here, not while measuring),
    /// reading `steps` lines per measurement.
    init(steps: Int) throws {
        guard let chase = lab_chase_create(Self.bytes, 0x9E37_79B9_7F4A_7C15) else {
            throw LabError("lww: no memory for the \(Self.bytes >> 20) MiB random-read probe")
        }
        self.chase = chase
        self.steps = steps
    }

    deinit {
        lab_chase_destroy(chase)
    }

    /// Nanoseconds per read of the dependent chain, and per read of the parallel chains.
    func measure() -> (dependentNanoseconds: Double, parallelNanoseconds: Double) {
        let dependent = lab_chase_dependent_ns(chase, steps)
        let parallel = lab_chase_parallel_ns(chase, steps, Self.chains)
        return (dependent, parallel)
    }
}
