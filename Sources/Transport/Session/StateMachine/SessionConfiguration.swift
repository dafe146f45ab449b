/// The limits a session enforces on its peer; every field has the default.
public struct SessionConfiguration: Sendable, Equatable {
    /// Streams the peer may have open at once; a request beyond it is answered with ERROR
    /// REJECTED (default 1,024).
    public var maxConcurrentStreams: Int
    /// Bytes of incomplete fragmented payloads the peer may have pending, all streams of the
    /// connection together (default 16 MiB); beyond it the connection is closed.
    public var maxReassemblyBytes: Int
    /// Bytes of payloads the local side may hold back for lack of the peer's credit, all
    /// streams together (default 4 MiB); beyond it a payload is refused.
    public var maxHeldBytes: Int
    /// Payloads granted to a channel's requester at once (REQUEST_N), topped up when half are
    /// used (default 64).
    public var channelWindow: UInt32
    /// How long a new connection may wait before its SETUP (default 10 s).
    public var setupTimeout: Duration

    /// A configuration; each parameter defaults to the value.
    public init(
        maxConcurrentStreams: Int = 1_024, maxReassemblyBytes: Int = 16 << 20, maxHeldBytes: Int = 4 << 20,
        channelWindow: UInt32 = 64, setupTimeout: Duration = .seconds(10)
    ) {
        self.maxConcurrentStreams = max(1, maxConcurrentStreams)
        self.maxReassemblyBytes = max(0, maxReassemblyBytes)
        self.maxHeldBytes = max(0, maxHeldBytes)
        self.channelWindow = min(max(2, channelWindow), Credit.unbounded)
        self.setupTimeout = setupTimeout
    }
}
