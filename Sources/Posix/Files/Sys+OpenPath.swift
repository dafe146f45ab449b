import Glibc

extension Sys {
    /// `open(2)` of a NUL-terminated path the caller owns (a stack buffer, say), for callers
    /// that must not allocate a `String` (liveness passes on a steady-state path);
    /// `O_CLOEXEC` is always added. The same ``SystemCall/open`` as ``open(_:_:_:)``.
    @inlinable
    public static func open(unsafePath path: UnsafePointer<CChar>, _ flags: Int32) throws(SystemCallError) -> Int32 {
        try SystemCall.open.run { Glibc.open(path, flags | O_CLOEXEC) }
    }
}
