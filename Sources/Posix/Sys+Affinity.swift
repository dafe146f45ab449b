import CRingside
import Glibc

extension SystemCall {
    public static let schedGetaffinity = SystemCall("sched_getaffinity")
    public static let schedSetaffinity = SystemCall("sched_setaffinity")
}

/// A set of CPU numbers (0 ..< ``CPUSet/capacity``), as `sched_getaffinity(2)` reports a
/// thread's allowed CPUs.
public struct CPUSet: Sendable, Equatable, CustomStringConvertible {
    /// The highest CPU number a set holds, plus one (glibc's `CPU_SETSIZE`).
    public static let capacity = 1024
    static let wordCount = capacity / 64

    /// CPU n is bit n % 64 of word n / 64.
    var words: [UInt64]

    /// The empty set.
    public init() { words = [UInt64](repeating: 0, count: Self.wordCount) }

    /// The CPUs in `cpus` (numbers outside 0 ..< ``capacity`` are left out).
    public init(_ cpus: some Sequence<Int>) {
        self.init()
        for cpu in cpus { insert(cpu) }
    }

    /// Adds `cpu` (ignored outside 0 ..< ``capacity``).
    public mutating func insert(_ cpu: Int) {
        guard cpu >= 0, cpu < Self.capacity else { return }
        words[cpu / 64] |= 1 << UInt64(cpu % 64)
    }

    /// Whether `cpu` is in the set.
    public func contains(_ cpu: Int) -> Bool {
        guard cpu >= 0, cpu < Self.capacity else { return false }
        return words[cpu / 64] & (1 << UInt64(cpu % 64)) != 0
    }

    /// The CPUs of this set that are not in `other`.
    public func subtracting(_ other: CPUSet) -> CPUSet {
        var result = self
        for index in result.words.indices { result.words[index] &= ~other.words[index] }
        return result
    }

    /// How many CPUs the set holds.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Whether it holds none.
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// The CPU numbers, lowest first.
    public var cpus: [Int] { (0 ..< Self.capacity).filter(contains) }

    /// `{0,2-3}`-style: the numbers, lowest first, in braces.
    public var description: String { "{" + cpus.map(String.init).joined(separator: ",") + "}" }
}

extension Sys {
    /// `sched_getaffinity(2)` of the calling thread: the CPUs it may run on.
    public static func threadAffinity() throws(SystemCallError) -> CPUSet {
        var set = CPUSet()
        _ = try SystemCall.schedGetaffinity.run {
            set.words.withUnsafeMutableBufferPointer { ringside_get_thread_affinity($0.baseAddress!, Int32($0.count)) }
        }
        return set
    }

    /// `sched_setaffinity(2)` of the calling thread: it runs only on the CPUs of `set` (EINVAL
    /// when none of them is online and allowed).
    public static func setThreadAffinity(_ set: CPUSet) throws(SystemCallError) {
        _ = try SystemCall.schedSetaffinity.run {
            set.words.withUnsafeBufferPointer { ringside_set_thread_affinity($0.baseAddress!, Int32($0.count)) }
        }
    }

    /// The CPUs the system has configured (`0 ..< sysconf(_SC_NPROCESSORS_CONF)`), online or not.
    public static var configuredCPUs: CPUSet {
        CPUSet(0 ..< max(1, sysconf(Int32(_SC_NPROCESSORS_CONF))))
    }
}
