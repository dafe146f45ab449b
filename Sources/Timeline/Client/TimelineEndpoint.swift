import Transport

/// Where a ``TimelineClient`` finds its server: the shared-memory segments of a local
/// `ringside serve --name NAME`, or its TCP listener (`--tcp HOST:PORT`).
public enum TimelineEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The server called `name` on this machine (`--name`, default `ringside`).
    case sharedMemory(name: String)
    /// The server listening at `host:port` (a numeric IPv4 or IPv6 address, or `localhost`).
    case tcp(host: String, port: UInt16)

    /// The endpoint named by `--tcp HOST:PORT` text (`127.0.0.1:5555`, `[::1]:5555`,
    /// `localhost:5555`); throws ``TimelineClientError/invalidRequest(_:)`` naming what is wrong.
    public static func tcp(parsing text: String) throws(TimelineClientError) -> TimelineEndpoint {
        do throws(TransportError) {
            let address = try TCPAddress(parsing: text)
            guard address.port != 0 else { throw TransportError.invalidArgument("address '\(text)': port 0 names no server") }
            let host = text.hasPrefix("[") ? String(text[text.index(after: text.startIndex)..<text.firstIndex(of: "]")!])
                : String(text[..<text.lastIndex(of: ":")!])
            return .tcp(host: host, port: address.port)
        } catch {
            throw TimelineClientError(error)
        }
    }

    /// `shm ringside`, `tcp 127.0.0.1:5555`.
    public var description: String {
        switch self {
        case .sharedMemory(let name): "shm \(name)"
        case .tcp(let host, let port): "tcp \(Self.hostPort(host, port))"
        }
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    static func hostPort(_ host: String, _ port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
