import Glibc
import Posix

/// A process as the kernel knows it: its pid and its start time, which together tell a live
/// process from a dead one whose pid was reused.
public struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The process id.
    public let pid: Int32
    /// When the process started, in clock ticks after boot (field 22 of `/proc/PID/stat`).
    public let startTime: UInt64

    /// Makes an identity from its parts (as read back from a segment header).
    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// The calling process, or nil when `/proc/self/stat` cannot be read.
    public static func current() -> ProcessIdentity? {
        of(pid: getpid())
    }

    /// The live process with this pid, or nil when there is none (no such pid, a zombie
    /// waiting to be reaped, or `/proc` cannot be read).
    public static func of(pid: Int32) -> ProcessIdentity? {
        guard pid > 0, let stat = try? readStat(pid: pid) else { return nil }
        return parse(stat: stat, pid: pid)
    }

    /// The calling process, or the failure to read `/proc/self/stat` (a line that does not
    /// parse reads as `EIO`).
    static func readCurrent() throws(SystemCallError) -> ProcessIdentity {
        let pid = getpid()
        guard let identity = parse(stat: try readStat(pid: pid), pid: pid) else { throw SystemCallError(.read, .ioError) }
        return identity
    }

    /// Whether this very process is still running: same pid, same start time, not a zombie.
    public var isAlive: Bool {
        ProcessIdentity.of(pid: pid) == self
    }

    /// `pid 1234 (started at tick 5678)`.
    public var description: String { "pid \(pid) (started at tick \(startTime))" }

    /// Parses a `/proc/PID/stat` line. The command name (field 2) is in parentheses and may
    /// itself hold spaces or parentheses, so fields are counted from the last `)`.
    static func parse(stat: [UInt8], pid: Int32) -> ProcessIdentity? {
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, let state = fields[fields.startIndex].first else { return nil }
        if state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") { return nil }
        var start: UInt64 = 0
        for digit in fields[fields.startIndex + 19] {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            let (times, overflowA) = start.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            start = sum
        }
        return ProcessIdentity(pid: pid, startTime: start)
    }

    /// The bytes of `/proc/PID/stat` (at most 4 KiB, far more than the line ever holds).
    private static func readStat(pid: Int32) throws(SystemCallError) -> [UInt8] {
        let descriptor = try Sys.open("/proc/\(pid)/stat", O_RDONLY)
        defer { try? Sys.close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        let filled = try Sys.readFully(descriptor, into: buffer)
        return Array(buffer[..<filled])
    }
}
