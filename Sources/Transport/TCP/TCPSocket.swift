import CRingside
import Glibc
import Posix

/// The socket set-up both TCP carriers share: listeners, connections, options, addresses.
/// Every socket is non-blocking and close-on-exec; connections have `TCP_NODELAY` on.
enum TCPSocket {
    /// A listening socket bound to `address` (port 0: a free port) and the address it got.
    static func listen(on address: TCPAddress, backlog: Int32) throws(TransportError) -> (descriptor: Int32, bound: TCPAddress) {
        let descriptor = try system { () throws(SystemCallError) in
            try Sys.socket(address.domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        }
        do throws(TransportError) {
            try system { () throws(SystemCallError) in
                try Sys.setSocketOption(descriptor, level: SOL_SOCKET, option: SO_REUSEADDR, value: 1)
                if address.family == .ipv6 {
                    try Sys.setSocketOption(descriptor, level: Int32(IPPROTO_IPV6), option: IPV6_V6ONLY, value: 1)
                }
                try address.withSocketAddress { (socketAddress, length) throws(SystemCallError) in
                    try Sys.bind(descriptor, socketAddress, length)
                }
                try Sys.listen(descriptor, backlog: backlog)
            }
            return (descriptor, try localAddress(descriptor))
        } catch {
            closeQuietly(descriptor)
            throw error
        }
    }

    /// A connection to `address`, made within `timeout` (a non-blocking connect, then
    /// `poll` for writability and `SO_ERROR`), with `TCP_NODELAY` on. Refused:
    /// ``TransportError/serverNotFound(_:)``; no answer in time: ``TransportError/timedOut(_:)``.
    static func connect(to address: TCPAddress, timeout: Duration) throws(TransportError) -> Int32 {
        let descriptor = try system { () throws(SystemCallError) in
            try Sys.socket(address.domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        }
        do throws(TransportError) {
            if try startConnect(descriptor, to: address) {
                try awaitConnect(descriptor, to: address, timeout: timeout)
            }
            try configureConnection(descriptor)
            return descriptor
        } catch {
            closeQuietly(descriptor)
            throw error
        }
    }

    /// The connect itself: false when it completed at once, true when it is in progress.
    private static func startConnect(_ descriptor: Int32, to address: TCPAddress) throws(TransportError) -> Bool {
        do throws(SystemCallError) {
            try address.withSocketAddress { (socketAddress, length) throws(SystemCallError) in
                try Sys.connect(descriptor, socketAddress, length)
            }
            return false
        } catch where error.errno == .inProgress || error.errno == .interrupted {
            return true
        } catch {
            throw connectError(error.errno, address)
        }
    }

    /// Waits for a connect in progress: writable, then `SO_ERROR` says how it ended.
    private static func awaitConnect(_ descriptor: Int32, to address: TCPAddress, timeout: Duration) throws(TransportError) {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let ready = try system { () throws(SystemCallError) in
            try Sys.poll(&entry, count: 1, timeoutMilliseconds: milliseconds(timeout))
        }
        guard ready > 0 else { throw .timedOut("connect to \(address) (no answer within \(timeout))") }
        let code = try system { () throws(SystemCallError) in
            try Sys.socketOption(descriptor, level: SOL_SOCKET, option: SO_ERROR)
        }
        if code != 0 { throw connectError(Errno(rawValue: code), address) }
    }

    /// `TCP_NODELAY` on: frames go out at once, the carrier batches them itself.
    static func configureConnection(_ descriptor: Int32) throws(TransportError) {
        try system { () throws(SystemCallError) in
            try Sys.setSocketOption(descriptor, level: Int32(IPPROTO_TCP), option: TCP_NODELAY, value: 1)
        }
    }

    /// The address a socket is bound to.
    static func localAddress(_ descriptor: Int32) throws(TransportError) -> TCPAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try system { () throws(SystemCallError) in
            try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemCallError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                    try Sys.getsockname(descriptor, address, &length)
                }
            }
        }
        guard let address = TCPAddress(socketAddress: storage) else {
            throw .invalidArgument("socket \(descriptor) is not an IPv4 or IPv6 socket")
        }
        return address
    }

    /// Closes a descriptor, ignoring the result (Linux releases it in every case).
    static func closeQuietly(_ descriptor: Int32) {
        _ = try? Sys.close(descriptor)
    }

    /// A `Duration` as whole milliseconds for `poll` and `epoll_wait`, rounded up, at least 0.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let total = seconds.multipliedReportingOverflow(by: 1000)
        guard !total.overflow else { return Int32.max }
        let rounded = total.partialValue + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: rounded)
    }

    /// The error a failed connect means to a client.
    static func connectError(_ errno: Errno, _ address: TCPAddress) -> TransportError {
        switch errno {
        case .connectionRefused: .serverNotFound("\(address) (connection refused)")
        case .timedOut: .timedOut("connect to \(address)")
        case Errno(rawValue: ENETUNREACH), Errno(rawValue: EHOSTUNREACH), Errno(rawValue: EADDRNOTAVAIL):
            .serverNotFound("\(address) (\(errno))")
        default: .system(SystemCallError(.connect, errno))
        }
    }

    /// Runs `body`, turning a failed system call into ``TransportError/system(_:)``.
    static func system<Result>(_ body: () throws(SystemCallError) -> Result) throws(TransportError) -> Result {
        do throws(SystemCallError) {
            return try body()
        } catch {
            throw .system(error)
        }
    }
}
