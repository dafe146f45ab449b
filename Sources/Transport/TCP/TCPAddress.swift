import Glibc

/// A numeric TCP endpoint, IPv4 or IPv6: what `--tcp HOST:PORT` names and what a carrier
/// reports once bound.
///
/// Text forms: `127.0.0.1:5555`, `[::1]:5555`, `localhost:5555` (127.0.0.1), `:5555` or
/// `*:5555` (every IPv4 interface), `[::]:5555` (every IPv6 interface). Port 0 asks the
/// system for a free port; the listener then reports the port it got.
public struct TCPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable {
        /// IPv4 (`AF_INET`).
        case ipv4
        /// IPv6 (`AF_INET6`).
        case ipv6
    }

    /// The family.
    public let family: Family
    /// The port, in host byte order.
    public let port: UInt16
    /// The 4 (IPv4) or 16 (IPv6) address bytes, in network order.
    public let addressBytes: [UInt8]

    /// Parses `HOST:PORT` (see the type's text forms); the error names what is wrong.
    public init(parsing text: String) throws(TransportError) {
        func fail(_ why: String) -> TransportError { .invalidArgument("address '\(text)': \(why)") }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("'[' without a closing ']'") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw fail("expected ':PORT' after ']'") }
            portText = rest.dropFirst()
            guard let bytes = Self.parse(String(host), family: AF_INET6, size: 16) else {
                throw fail("'\(host)' is not a numeric IPv6 address")
            }
            self.init(family: .ipv6, port: try Self.parsePort(portText, fail), addressBytes: bytes)
            return
        }
        guard let colon = text.lastIndex(of: ":") else { throw fail("expected HOST:PORT") }
        host = text[..<colon]
        portText = text[text.index(after: colon)...]
        guard !host.contains(":") else { throw fail("an IPv6 address needs brackets: [ADDRESS]:PORT") }
        let port = try Self.parsePort(portText, fail)
        switch host {
        case "", "*": self.init(family: .ipv4, port: port, addressBytes: [0, 0, 0, 0])
        case "localhost": self.init(family: .ipv4, port: port, addressBytes: [127, 0, 0, 1])
        default:
            guard let bytes = Self.parse(String(host), family: AF_INET, size: 4) else {
                throw fail("'\(host)' is not a numeric IPv4 address, [IPv6] address or localhost")
            }
            self.init(family: .ipv4, port: port, addressBytes: bytes)
        }
    }

    /// The IPv4 loopback address `127.0.0.1` at `port`.
    public static func loopbackIPv4(port: UInt16) -> TCPAddress {
        TCPAddress(family: .ipv4, port: port, addressBytes: [127, 0, 0, 1])
    }

    /// The IPv6 loopback address `[::1]` at `port`.
    public static func loopbackIPv6(port: UInt16) -> TCPAddress {
        TCPAddress(family: .ipv6, port: port, addressBytes: Array(repeating: 0, count: 15) + [1])
    }

    private init(family: Family, port: UInt16, addressBytes: [UInt8]) {
        self.family = family
        self.port = port
        self.addressBytes = addressBytes
    }

    /// The same host at another port.
    public func withPort(_ port: UInt16) -> TCPAddress {
        TCPAddress(family: family, port: port, addressBytes: addressBytes)
    }

    /// `127.0.0.1:5555` or `[::1]:5555`.
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = self.family == .ipv4 ? AF_INET : AF_INET6
        let host: String = addressBytes.withUnsafeBytes { bytes in
            inet_ntop(family, bytes.baseAddress, &text, socklen_t(text.count)) == nil
                ? "?" : String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return self.family == .ipv4 ? "\(host):\(port)" : "[\(host)]:\(port)"
    }

    /// The C address family (`AF_INET`, `AF_INET6`).
    var domain: Int32 { family == .ipv4 ? AF_INET : AF_INET6 }

    /// Calls `body` with this address as a C socket address and its length.
    func withSocketAddress<Result, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var storage = sockaddr_storage()
        let length: Int
        switch family {
        case .ipv4:
            withUnsafeMutableBytes(of: &storage) { raw in
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                address.pointee.sin_family = sa_family_t(AF_INET)
                address.pointee.sin_port = port.bigEndian
                withUnsafeMutableBytes(of: &address.pointee.sin_addr) { $0.copyBytes(from: addressBytes) }
            }
            length = MemoryLayout<sockaddr_in>.size
        case .ipv6:
            withUnsafeMutableBytes(of: &storage) { raw in
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                address.pointee.sin6_family = sa_family_t(AF_INET6)
                address.pointee.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &address.pointee.sin6_addr) { $0.copyBytes(from: addressBytes) }
            }
            length = MemoryLayout<sockaddr_in6>.size
        }
        return try withUnsafePointer(to: &storage) { pointer throws(Failure) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(Failure) in
                try body(address, socklen_t(length))
            }
        }
    }

    /// The address in a C socket address the kernel filled in, or nil for another family.
    init?(socketAddress storage: sockaddr_storage) {
        let family = Int32(storage.ss_family)
        let parsed: TCPAddress? = withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                let address = raw.load(as: sockaddr_in.self)
                return TCPAddress(family: .ipv4, port: UInt16(bigEndian: address.sin_port),
                                  addressBytes: withUnsafeBytes(of: address.sin_addr) { Array($0) })
            case AF_INET6:
                let address = raw.load(as: sockaddr_in6.self)
                return TCPAddress(family: .ipv6, port: UInt16(bigEndian: address.sin6_port),
                                  addressBytes: withUnsafeBytes(of: address.sin6_addr) { Array($0) })
            default:
                return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// A decimal port 0...65535.
    private static func parsePort(_ text: Substring, _ fail: (String) -> TransportError) throws(TransportError) -> UInt16 {
        guard !text.isEmpty else { throw fail("missing port after ':'") }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(text) else {
            throw fail("port '\(text)' is not a number from 0 to 65535")
        }
        return port
    }

    /// `inet_pton` of a numeric address: its `size` bytes, or nil when it is not one.
    private static func parse(_ host: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let result = bytes.withUnsafeMutableBytes { inet_pton(family, host, $0.baseAddress) }
        return result == 1 ? Array(bytes.prefix(size)) : nil
    }
}
