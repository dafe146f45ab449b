import Glibc

/// The name of a system call, as the failure seam (``FailureInjection``) and error messages
/// know it. Each wrapper file adds the names it uses as static members.
public struct SystemCall: Hashable, Sendable, CustomStringConvertible {
    /// The call's C name (`ftruncate`).
    public let name: String

    /// A system call by its C name.
    public init(_ name: String) { self.name = name }

    /// The C name.
    public var description: String { name }
}

/// A failed system call: which one, and the typed `errno` it left.
public struct SystemCallError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The call that failed.
    public let call: SystemCall
    /// Why.
    public let errno: Errno

    /// A failure of `call` with `errno`.
    public init(_ call: SystemCall, _ errno: Errno) {
        self.call = call
        self.errno = errno
    }

    /// `ftruncate: ENOSPC (No space left on device)`.
    public var description: String { "\(call): \(errno)" }
}

extension SystemCall {
    /// Runs one system call whose failure is a negative return with `errno` set, the way every
    /// wrapper in this module does (swift-system's `valueOrErrno(retryOnInterrupt:)`): first
    /// the test seam (``FailureInjection``) may make it fail; then `EINTR` is retried when
    /// `retryOnInterrupt` (POSIX allows it for the call); any other failure throws the typed
    /// error.
    @inlinable
    public func run<Result: BinaryInteger>(
        retryOnInterrupt: Bool = true, _ body: () -> Result
    ) throws(SystemCallError) -> Result {
        try outcome(retryOnInterrupt: retryOnInterrupt, body).get()
    }

    /// The core of ``run(retryOnInterrupt:_:)`` and its variants: the test seam, then the
    /// call (`EINTR` retried when `retryOnInterrupt`), its failure returned, not thrown, so
    /// that a caller may treat one errno as an answer without paying for a thrown error.
    @inlinable
    public func outcome<Result: BinaryInteger>(
        retryOnInterrupt: Bool, _ body: () -> Result
    ) -> Swift.Result<Result, SystemCallError> {
        if FailureInjection.isArmed, let injected = FailureInjection.take(self) {
            return .failure(SystemCallError(self, injected))
        }
        while true {
            let result = body()
            if result >= 0 { return .success(result) }
            let error = Errno.current
            if retryOnInterrupt && error == .interrupted { continue }
            return .failure(SystemCallError(self, error))
        }
    }

    /// Runs a call that returns a pointer, failing with `failure` (`MAP_FAILED`, nil) and
    /// `errno` set; the test seam applies as in ``run(retryOnInterrupt:_:)``.
    @inlinable
    public func runReturningPointer(
        failure: UnsafeMutableRawPointer?, _ body: () -> UnsafeMutableRawPointer?
    ) throws(SystemCallError) -> UnsafeMutableRawPointer {
        if FailureInjection.isArmed, let injected = FailureInjection.take(self) {
            throw SystemCallError(self, injected)
        }
        while true {
            let result = body()
            if let result, result != failure { return result }
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemCallError(self, error)
        }
    }
}
