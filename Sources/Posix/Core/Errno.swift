import Glibc

/// A POSIX error number, typed: what a failed system call left in `errno`.
///
/// Modelled on swift-system's `Errno`: a raw value with a symbolic name and the C library's
/// text, so an error message reads `ENOENT (No such file or directory)` rather than `2`.
@frozen
public struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The C `errno` value.
    public let rawValue: Int32

    /// Wraps a C `errno` value.
    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    @inlinable
    public static var current: Errno { Errno(rawValue: errno) }

    /// The symbolic name (`EAGAIN`), or `errno N` for a value this table does not name.
    public var name: String { Errno.names[rawValue] ?? "errno \(rawValue)" }

    /// The C library's text for the error (`strerror`).
    public var message: String { String(cString: strerror(rawValue)) }

    /// `ENOENT (No such file or directory)`.
    public var description: String { "\(name) (\(message))" }

    /// Interrupted by a signal before anything happened: retried where POSIX allows it.
    public static var interrupted: Errno { Errno(rawValue: EINTR) }
    /// The call would block on a non-blocking descriptor (`EAGAIN`, `EWOULDBLOCK`).
    public static var wouldBlock: Errno { Errno(rawValue: EAGAIN) }
    /// No such file or directory.
    public static var noSuchFile: Errno { Errno(rawValue: ENOENT) }
    /// The file exists (`O_EXCL`).
    public static var fileExists: Errno { Errno(rawValue: EEXIST) }
    /// Permission denied.
    public static var permissionDenied: Errno { Errno(rawValue: EACCES) }
    /// No space left on the device.
    public static var noSpace: Errno { Errno(rawValue: ENOSPC) }
    /// An input/output error.
    public static var ioError: Errno { Errno(rawValue: EIO) }
    /// Out of memory.
    public static var noMemory: Errno { Errno(rawValue: ENOMEM) }
    /// An invalid argument.
    public static var invalidArgument: Errno { Errno(rawValue: EINVAL) }
    /// No such process.
    public static var noSuchProcess: Errno { Errno(rawValue: ESRCH) }
    /// The call timed out.
    public static var timedOut: Errno { Errno(rawValue: ETIMEDOUT) }
    /// A non-blocking connect is under way.
    public static var inProgress: Errno { Errno(rawValue: EINPROGRESS) }
    /// The peer reset the connection.
    public static var connectionReset: Errno { Errno(rawValue: ECONNRESET) }
    /// Nobody listens at that address.
    public static var connectionRefused: Errno { Errno(rawValue: ECONNREFUSED) }
    /// Writing to a connection the peer closed.
    public static var brokenPipe: Errno { Errno(rawValue: EPIPE) }
    /// The address is in use.
    public static var addressInUse: Errno { Errno(rawValue: EADDRINUSE) }
    /// A bad file descriptor.
    public static var badFileDescriptor: Errno { Errno(rawValue: EBADF) }

    /// Symbolic names of the error numbers a Linux program meets.
    static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO",
        E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN",
        ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST",
        EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL",
        ENFILE: "ENFILE", EMFILE: "EMFILE", ENOTTY: "ENOTTY", EFBIG: "EFBIG", ENOSPC: "ENOSPC",
        ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE", ERANGE: "ERANGE",
        EDEADLK: "EDEADLK", ENAMETOOLONG: "ENAMETOOLONG", ENOLCK: "ENOLCK", ENOSYS: "ENOSYS",
        ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP", EOVERFLOW: "EOVERFLOW", ENOTSOCK: "ENOTSOCK",
        EDESTADDRREQ: "EDESTADDRREQ", EMSGSIZE: "EMSGSIZE", EPROTOTYPE: "EPROTOTYPE",
        ENOPROTOOPT: "ENOPROTOOPT", EPROTONOSUPPORT: "EPROTONOSUPPORT", EOPNOTSUPP: "EOPNOTSUPP",
        EAFNOSUPPORT: "EAFNOSUPPORT", EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL",
        ENETDOWN: "ENETDOWN", ENETUNREACH: "ENETUNREACH", ECONNABORTED: "ECONNABORTED",
        ECONNRESET: "ECONNRESET", ENOBUFS: "ENOBUFS", EISCONN: "EISCONN", ENOTCONN: "ENOTCONN",
        ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED", EHOSTUNREACH: "EHOSTUNREACH",
        EALREADY: "EALREADY", EINPROGRESS: "EINPROGRESS", EDQUOT: "EDQUOT", ECANCELED: "ECANCELED",
        EOWNERDEAD: "EOWNERDEAD",
    ]
}
