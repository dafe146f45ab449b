/// How a request reached the server: the RSocket interaction its frame opened.
public enum TimelineInteraction: Hashable, Sendable {
    /// REQUEST_FNF: nothing is answered; a failure is only counted.
    case fireAndForget
    /// REQUEST_RESPONSE: answered by one payload or an ERROR.
    case requestResponse
    /// REQUEST_STREAM (a tail) with the demand its frame granted (`initialRequestN`).
    case requestStream(initialDemand: UInt32)
}

/// A connection as the server numbers it. The engine keeps request order per connection and
/// drops a connection's requests and tails when it closes (`TimelineEngine.close(_:)`).
public struct TimelineConnection: Hashable, Sendable, CustomStringConvertible {
    /// The server's number for the connection.
    public let rawValue: UInt64

    /// Wraps the server's number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `#12`.
    public var description: String { "#\(rawValue)" }
}

/// The server's handle for one request's stream, opaque to the engine, which hands it back
/// with every answer, event and error. The server keeps it unique among the streams that
/// are open (for example the connection's number and the stream id together).
public struct TimelineReplyToken: Hashable, Sendable, CustomStringConvertible {
    /// The server's value.
    public let rawValue: UInt64

    /// Wraps the server's value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `token 0x…`.
    public var description: String { "token 0x" + String(rawValue, radix: 16) }
}
