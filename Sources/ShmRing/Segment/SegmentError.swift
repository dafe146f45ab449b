import Posix

/// A failure to create, open, validate, reclaim or remove a shared-memory segment: what was
/// attempted, on which segment, and why (with `errno` when a system call failed).
public struct SegmentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The step that failed.
    public enum Operation: String, Sendable {
        /// Checking the segment name.
        case validateName = "validate name"
        /// Checking the requested region sizes.
        case validateLayout = "validate layout"
        /// `shm_open` with `O_CREAT | O_EXCL`.
        case create = "shm_open(O_CREAT|O_EXCL)"
        /// `shm_open` of an existing segment.
        case open = "shm_open"
        /// `fchmod` to the requested permissions.
        case chmod = "fchmod"
        /// `ftruncate` to the segment size.
        case truncate = "ftruncate"
        /// `fstat` of the segment.
        case stat = "fstat"
        /// `mmap` of the segment.
        case map = "mmap"
        /// `flock` while reclaiming.
        case lock = "flock"
        /// `shm_unlink`.
        case unlink = "shm_unlink"
        /// Reading `/proc/PID/stat` for a process identity.
        case identify = "read /proc/PID/stat"
        /// Checking the header of an existing segment.
        case validateHeader = "validate header"
    }

    /// Why the step failed.
    public enum Reason: Equatable, Sendable {
        /// A system call failed with this `errno`.
        case system(errno: Errno)
        /// The name breaks the rules of ``SharedMemorySegment/validate(name:)``.
        case invalidName(String)
        /// The requested region sizes cannot make a segment.
        case invalidLayout(String)
        /// The file is smaller than a segment header.
        case tooSmall(size: Int)
        /// The header does not start with the segment magic.
        case badMagic(found: UInt64)
        /// The header holds a layout version this build does not understand.
        case unsupportedVersion(found: UInt32, expected: UInt32)
        /// The header's header-length field is not this layout's.
        case badHeaderLength(found: UInt32)
        /// The size recorded in the header differs from the file's size.
        case sizeMismatch(header: UInt64, file: Int)
        /// The region table is inconsistent (count, bounds, alignment or overlap).
        case badRegions(String)
        /// The recorded owner process is gone (dead, or its pid now belongs to another process).
        case ownerGone(pid: Int32)
        /// The segment exists and its owner is alive: it is not clobbered.
        case ownerAlive(pid: Int32)
    }

    /// The step that failed.
    public let operation: Operation
    /// The segment name involved.
    public let name: String
    /// Why it failed.
    public let reason: Reason

    /// Makes an error for `operation` on segment `name`.
    public init(_ operation: Operation, name: String, _ reason: Reason) {
        self.operation = operation
        self.name = name
        self.reason = reason
    }

    /// An error for `operation`, a system call that failed with `error`.
    static func system(_ operation: Operation, name: String, _ error: SystemCallError) -> SegmentError {
        SegmentError(operation, name: name, .system(errno: error.errno))
    }

    /// The `errno` of a failed system call, or nil when the failure is not a system call's.
    public var errno: Errno? {
        if case .system(let code) = reason { return code }
        return nil
    }

    /// One line, e.g. `segment '/x': shm_open: No such file or directory (errno 2)`.
    public var description: String {
        "segment '\(name)': \(operation.rawValue): " + reasonText
    }

    private var reasonText: String {
        switch reason {
        case .system(let code): return "\(code.message) (errno \(code.rawValue))"
        case .invalidName(let why): return "invalid name: \(why)"
        case .invalidLayout(let why): return "invalid layout: \(why)"
        case .tooSmall(let size): return "file of \(size) bytes is smaller than a segment header"
        case .badMagic(let found): return "bad magic 0x\(String(found, radix: 16)) (not a Ringside segment, or not initialised)"
        case .unsupportedVersion(let found, let expected): return "layout version \(found), this build reads \(expected)"
        case .badHeaderLength(let found): return "header length \(found), expected \(SegmentHeader.length)"
        case .sizeMismatch(let header, let file): return "header says \(header) bytes, file has \(file)"
        case .badRegions(let why): return "bad region table: \(why)"
        case .ownerGone(let pid): return "owner process \(pid) is gone (stale segment)"
        case .ownerAlive(let pid): return "segment exists and its owner process \(pid) is alive"
        }
    }
}
