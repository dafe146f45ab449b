/// What `ringside stat` shows: one reading of a server's stat segment (<doc:StatSegment>),
/// taken without disturbing the server. Encodable as the `--json` output.
public struct ServerStat: Sendable, Codable, Equatable {
    /// The server's name (`--name`).
    public var name: String
    /// The stat segment's layout version, `MAJOR.MINOR`.
    public var layout: String
    /// The server's pid.
    public var pid: Int32
    /// When it started, in nanoseconds since the Unix epoch.
    public var startTimeNanoseconds: UInt64
    /// Milliseconds since its last heartbeat (the poll thread stores one every 100 ms or so,
    /// and before each sleep).
    public var heartbeatAgeMilliseconds: Double
    /// `running` or `stopping`.
    public var state: String
    /// Whether it logs writes (`--data-dir`).
    public var durable: Bool
    /// The server's shared-memory segments (`/NAME-ctl`, `/NAME-stat`, `/NAME-ch-PID-SEQ`).
    public var segments: [String]
    /// Every counter, by its stable name (``StatCounter/name``).
    public var counters: [String: UInt64]
    /// The connections listed in the table.
    public var connections: [ConnectionStat]

    /// One counter's value (0 when the segment does not hold it).
    public subscript(_ counter: StatCounter) -> UInt64 { counters[counter.name] ?? 0 }
}

/// One connection of a ``ServerStat``.
public struct ConnectionStat: Sendable, Codable, Equatable {
    /// `shm`, `tcp` or `other`.
    public var carrier: String
    /// The server's number for it.
    public var connection: UInt64
    /// How the carrier describes the peer (`127.0.0.1:5555`, `pid 1234`).
    public var peer: String
    /// `open` (no SETUP yet) or `setup`.
    public var state: String
    /// `binary` or `json` once set up.
    public var encoding: String?
    /// Seconds since it opened.
    public var ageSeconds: Double
    /// Requests received on it (counted at each poll round).
    public var requests: UInt64
    /// Shared memory: the client's pid.
    public var clientPid: Int32?
    /// Shared memory: bytes the server has yet to read from the client.
    public var inboundLag: Int64?
    /// Shared memory: bytes the client has yet to read from the server.
    public var outboundLag: Int64?
    /// Shared memory: milliseconds since the client's heartbeat.
    public var clientHeartbeatAgeMilliseconds: Double?
}
