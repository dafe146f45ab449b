import CRingside
import Glibc

extension SystemCall {
    /// `socket(2)`.
    public static let socket = SystemCall("socket")
    /// `bind(2)`.
    public static let bind = SystemCall("bind")
    /// `listen(2)`.
    public static let listen = SystemCall("listen")
    /// `accept4(2)`.
    public static let accept4 = SystemCall("accept4")
    /// `connect(2)`.
    public static let connect = SystemCall("connect")
    /// `setsockopt(2)`.
    public static let setsockopt = SystemCall("setsockopt")
    /// `getsockopt(2)`.
    public static let getsockopt = SystemCall("getsockopt")
    /// `getsockname(2)`.
    public static let getsockname = SystemCall("getsockname")
    /// `shutdown(2)`.
    public static let shutdown = SystemCall("shutdown")
    /// `sendmsg(2)`.
    public static let sendmsg = SystemCall("sendmsg")
    /// `poll(2)`.
    public static let poll = SystemCall("poll")
}

extension SystemCall {
    /// As ``run(retryOnInterrupt:_:)`` (EINTR retried, the test seam first), but `EAGAIN`
    /// returns nil instead of throwing: a non-blocking descriptor's common case.
    @inlinable
    public func runUnlessWouldBlock<Result: BinaryInteger>(_ body: () -> Result) throws(SystemCallError) -> Result? {
        switch outcome(retryOnInterrupt: true, body) {
        case .success(let result): return result
        case .failure(let error) where error.errno == .wouldBlock: return nil
        case .failure(let error): throw error
        }
    }
}

extension Sys {
    /// `read(2)` from a non-blocking descriptor into `buffer`: the byte count (0 at end of
    /// stream), or nil when nothing is there now (`EAGAIN`).
    public static func readAvailable(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int? {
        try SystemCall.read.runUnlessWouldBlock { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
    }

    /// `socket(2)`; `SOCK_CLOEXEC` is always added (add `SOCK_NONBLOCK` to `type` for a
    /// non-blocking socket).
    public static func socket(_ domain: Int32, _ type: Int32, _ proto: Int32 = 0) throws(SystemCallError) -> Int32 {
        try SystemCall.socket.run { Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), proto) }
    }

    /// `bind(2)` to the `length` bytes of socket address at `address`.
    public static func bind(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) throws(SystemCallError) {
        _ = try SystemCall.bind.run { Glibc.bind(descriptor, address, length) }
    }

    /// `listen(2)`.
    public static func listen(_ descriptor: Int32, backlog: Int32) throws(SystemCallError) {
        _ = try SystemCall.listen.run { Glibc.listen(descriptor, backlog) }
    }

    /// `accept4(2)`: the new connection's descriptor, its peer's address stored at `address`
    /// (`length` in: its room, out: the address's length). `SOCK_CLOEXEC` is always added to
    /// `flags`. A non-blocking listener with nothing pending throws `EAGAIN`.
    public static func accept4(
        _ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>, flags: Int32
    ) throws(SystemCallError) -> Int32 {
        try SystemCall.accept4.run { ringside_accept4(descriptor, address, length, flags | Int32(SOCK_CLOEXEC.rawValue)) }
    }

    /// `connect(2)`, never retried: interrupted, the connection goes on in the background
    /// (POSIX), so `EINTR` is thrown like `EINPROGRESS` for the caller to wait for writability.
    public static func connect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) throws(SystemCallError) {
        _ = try SystemCall.connect.run(retryOnInterrupt: false) { Glibc.connect(descriptor, address, length) }
    }

    /// `setsockopt(2)` of an `Int32` option (`TCP_NODELAY`, `SO_REUSEADDR`, ...).
    public static func setSocketOption(_ descriptor: Int32, level: Int32, option: Int32, value: Int32) throws(SystemCallError) {
        var value = value
        _ = try SystemCall.setsockopt.run {
            Glibc.setsockopt(descriptor, level, option, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// `setsockopt(2)` of an option held in a C struct (`SO_LINGER` takes a `linger`).
    public static func setSocketOption<Value: BitwiseCopyable>(
        _ descriptor: Int32, level: Int32, option: Int32, structure: Value
    ) throws(SystemCallError) {
        var value = structure
        _ = try SystemCall.setsockopt.run {
            Glibc.setsockopt(descriptor, level, option, &value, socklen_t(MemoryLayout<Value>.size))
        }
    }

    /// `getsockopt(2)` of an `Int32` option (`SO_ERROR`, `SO_SNDBUF`, ...).
    public static func socketOption(_ descriptor: Int32, level: Int32, option: Int32) throws(SystemCallError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try SystemCall.getsockopt.run { Glibc.getsockopt(descriptor, level, option, &value, &length) }
        return value
    }

    /// `getsockname(2)`: the socket's own address into `address` (`length` in: its room,
    /// out: the address's length).
    public static func getsockname(
        _ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>
    ) throws(SystemCallError) {
        _ = try SystemCall.getsockname.run { Glibc.getsockname(descriptor, address, length) }
    }

    /// `shutdown(2)` (`SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`).
    public static func shutdown(_ descriptor: Int32, _ how: Int32) throws(SystemCallError) {
        _ = try SystemCall.shutdown.run { Glibc.shutdown(descriptor, how) }
    }

    /// `sendmsg(2)` of `count` buffers described at `vectors` (a `writev` on a socket) with
    /// `MSG_NOSIGNAL` always added to `flags`, so a peer gone away is `EPIPE`, never SIGPIPE:
    /// the byte count written (possibly fewer than asked), or nil when a non-blocking socket
    /// takes nothing now (`EAGAIN`).
    public static func send(
        _ descriptor: Int32, vectors: UnsafeMutablePointer<iovec>, count: Int, flags: Int32 = 0
    ) throws(SystemCallError) -> Int? {
        var message = msghdr()
        message.msg_iov = vectors
        message.msg_iovlen = count
        return try SystemCall.sendmsg.runUnlessWouldBlock { Glibc.sendmsg(descriptor, &message, flags | Int32(MSG_NOSIGNAL)) }
    }

    /// `poll(2)` of `count` descriptors at `descriptors`, at most `timeoutMilliseconds`
    /// (-1: no limit): how many have events. `EINTR` is retried with the same timeout.
    public static func poll(
        _ descriptors: UnsafeMutablePointer<pollfd>, count: Int, timeoutMilliseconds: Int32
    ) throws(SystemCallError) -> Int {
        Int(try SystemCall.poll.run { Glibc.poll(descriptors, nfds_t(count), timeoutMilliseconds) })
    }
}
