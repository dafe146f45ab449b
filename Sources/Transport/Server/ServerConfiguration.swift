/// How a ``TransportServer`` runs: its sessions' limits and its poll loop's settings.
public struct ServerConfiguration: Sendable, Equatable {
    /// The limits every session enforces.
    public var session: SessionConfiguration
    /// Events taken from one carrier per poll (default 256).
    public var pollLimit: Int
    /// The largest frame the server writes (default 64 KiB); longer payloads are fragmented,
    /// as they are beyond a carrier's own ``ServerCarrier/maxFrameLength``.
    public var maxOutgoingFrameLength: Int
    /// Bytes of frames queued for one connection whose carrier said `wouldBlock` (default
    /// 8 MiB); beyond it the responder's payloads are refused (`backlogFull`).
    public var maxBacklogBytes: Int
    /// Idle polls spent spinning before yielding (default 10,000: a few hundred microseconds,
    /// so that a request arriving right after an answer finds the loop awake).
    public var spinPolls: Int
    /// Idle polls spent yielding the processor before sleeping on the doorbell (default 100).
    public var yieldPolls: Int
    /// The longest sleep on the doorbell (at most 100 ms: carriers want a poll that often).
    public var maxSleep: Duration
    /// How often sessions' timers are checked (keepalive lifetime, SETUP deadline; default
    /// 10 ms).
    public var timerInterval: Duration

    /// A configuration; each parameter has the default stated on its property.
    public init(
        session: SessionConfiguration = SessionConfiguration(), pollLimit: Int = 256, maxOutgoingFrameLength: Int = 64 << 10,
        maxBacklogBytes: Int = 8 << 20, spinPolls: Int = 10_000, yieldPolls: Int = 100, maxSleep: Duration = .milliseconds(100),
        timerInterval: Duration = .milliseconds(10)
    ) {
        self.session = session
        self.pollLimit = max(1, pollLimit)
        self.maxOutgoingFrameLength = max(FrameFragmenter.minimumFrameLength, maxOutgoingFrameLength)
        self.maxBacklogBytes = max(0, maxBacklogBytes)
        self.spinPolls = max(0, spinPolls)
        self.yieldPolls = max(0, yieldPolls)
        self.maxSleep = min(max(.microseconds(1), maxSleep), .milliseconds(100))
        self.timerInterval = max(.milliseconds(1), timerInterval)
    }
}
