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
    /// waiting to be reaped, or `/proc` cannot be read). Allocates nothing (the path and the
    /// line live on the stack): liveness passes call it in steady state.
    public static func of(pid: Int32) -> ProcessIdentity? {
        guard pid > 0 else { return nil }
        return (try? read(pid: pid)) ?? nil
    }

    /// The calling process, or the failure to read `/proc/self/stat` (a line that does not
    /// parse reads as `EIO`).
    static func readCurrent() throws(SystemCallError) -> ProcessIdentity {
        let pid = getpid()
        guard let identity = try read(pid: pid) else {
            throw SystemCallError(.read, .ioError)
        }
        return identity
    }

    /// Whether this very process is still running: same pid, same start time, not a zombie.
    public var isAlive: Bool {
        ProcessIdentity.of(pid: pid) == self
    }

    /// `pid 1234 (started at tick 5678)`.
    public var description: String { "pid \(pid) (started at tick \(startTime))" }

    /// Parses a `/proc/PID/stat` line held in an array (tests).
    static func parse(stat: [UInt8], pid: Int32) -> ProcessIdentity? {
        stat.withUnsafeBytes { parse(stat: $0, pid: pid) }
    }

    /// Parses a `/proc/PID/stat` line (or its first part, up to field 22 at least). The
    /// command name (field 2) is in parentheses and may itself hold spaces or parentheses, so
    /// fields are counted from the last `)`; they are separated by runs of spaces. One pass
    /// by index over raw bytes, no allocation (even unoptimised).
    static func parse(stat: UnsafeRawBufferPointer, pid: Int32) -> ProcessIdentity? {
        var close = stat.count - 1
        while close >= 0 && stat[close] != UInt8(ascii: ")") { close -= 1 }
        guard close >= 0 else { return nil }
        // Field 3 (state) is the first after the `)`, numbered 0 here; field 22 (starttime) is 19.
        var field = -1
        var inField = false
        var start: UInt64 = 0
        var index = close + 1
        while index < stat.count {
            let byte = stat[index]
            index += 1
            if byte == UInt8(ascii: " ") {
                inField = false
                if field == 19 { break }
                continue
            }
            if !inField {
                inField = true
                field += 1
                if field == 0 && (byte == UInt8(ascii: "Z") || byte == UInt8(ascii: "X")) { return nil }
            }
            guard field == 19 else { continue }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflowA) = start.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            start = sum
        }
        guard field >= 19 else { return nil }
        return ProcessIdentity(pid: pid, startTime: start)
    }

    /// Reads the first bytes of `/proc/PID/stat` into a buffer on the stack and parses them
    /// (nil: the line does not parse, or the process is a zombie). 1 KiB holds fields 1 to 22
    /// whatever the values (the command name is at most 64 bytes, each number at most 20
    /// digits); the path is formatted into the same buffer. Concrete types throughout: no
    /// generic code left unspecialised in an unoptimised build.
    private static func read(pid: Int32) throws(SystemCallError) -> ProcessIdentity? {
        var failure: SystemCallError?
        let identity = withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 8) { buffer -> ProcessIdentity? in
            let path = UnsafeMutableRawBufferPointer(rebasing: buffer[992...])
            formatStatPath(pid: pid, into: path)
            let line = UnsafeMutableRawBufferPointer(rebasing: buffer[..<992])
            do throws(SystemCallError) {
                let descriptor = try Sys.open(unsafePath: path.baseAddress!.assumingMemoryBound(to: CChar.self), O_RDONLY)
                defer { try? Sys.close(descriptor) }
                let filled = try Sys.readFully(descriptor, into: line)
                return parse(stat: UnsafeRawBufferPointer(rebasing: line[..<filled]), pid: pid)
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return identity
    }

    /// Writes `/proc/PID/stat` and a NUL into `path` (32 bytes: a positive Int32 has at most 10 digits).
    private static func formatStatPath(pid: Int32, into path: UnsafeMutableRawBufferPointer) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = UInt32(pid)
        withUnsafeMutableBytes(of: &digits) { digits in
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            var index = 0
            for byte in "/proc/".utf8 { path[index] = byte; index += 1 }
            for digit in (0..<count).reversed() { path[index] = digits[digit]; index += 1 }
            for byte in "/stat".utf8 { path[index] = byte; index += 1 }
            path[index] = 0
        }
    }
}
