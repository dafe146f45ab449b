import Frames
import Transport

/// How a ``TimelineClient`` connects and behaves.
public struct TimelineClientConfiguration: Sendable, Equatable {
    /// The encoding of every request and answer (default binary `application/x.ringside.v1`;
    /// `.json` for `application/json`).
    public var encoding: TimelineEncoding
    /// How long connecting may take (the shared-memory handshake, or the TCP connect).
    public var connectTimeout: Duration
    /// How long an acknowledged write or a select waits for its answer, or a write for room
    /// to send (default 30 s).
    public var requestTimeout: Duration
    /// Events a tail asks for at once; it asks for half again as half are consumed, so at
    /// most this many wait unread in the client (default 256).
    public var tailWindow: UInt32
    /// How often the connection sends KEEPALIVE (default 20 s).
    public var keepaliveInterval: Duration
    /// How long the server may stay silent before the client gives up on it (default 90 s).
    public var maxLifetime: Duration
    /// Polls an answer is spun for before the caller sleeps (default 20,000: tens of
    /// microseconds, for round-trip latency; 0 sleeps at once).
    public var spinPolls: Int

    /// A configuration; each parameter has the default stated on its property.
    public init(
        encoding: TimelineEncoding = .binary, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        tailWindow: UInt32 = 256, keepaliveInterval: Duration = .seconds(20), maxLifetime: Duration = .seconds(90),
        spinPolls: Int = 20_000
    ) {
        self.encoding = encoding
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.tailWindow = tailWindow
        self.keepaliveInterval = keepaliveInterval
        self.maxLifetime = maxLifetime
        self.spinPolls = spinPolls
    }

    /// The connection's settings: the SETUP names the encoding's MIME type.
    var connection: ConnectionConfiguration {
        ConnectionConfiguration(
            dataMIMEType: encoding.mimeType, keepaliveInterval: keepaliveInterval, maxLifetime: maxLifetime,
            streamWindow: tailWindow, spinPolls: spinPolls, requestTimeout: requestTimeout)
    }
}
