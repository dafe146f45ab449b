import Posix

/// How a ``Connection`` sets itself up and behaves.
public struct ConnectionConfiguration: Sendable, Equatable {
    /// The SETUP's data MIME type (default `application/x.ringside.v1`, the binary timeline
    /// layout; `application/json` for JSON).
    public var dataMIMEType: String
    /// The SETUP's metadata MIME type (default `application/octet-stream`).
    public var metadataMIMEType: String
    /// How often the connection sends KEEPALIVE (default 20 s, as rsocket-java).
    public var keepaliveInterval: Duration
    /// How long either side may stay silent before the other gives up (default 90 s).
    public var maxLifetime: Duration
    /// Items a request-stream asks for at once; it asks for half again when half are
    /// consumed (default 64).
    public var streamWindow: UInt32
    /// Bytes of a fragmented answer the connection reassembles at most (default 16 MiB).
    public var maxReassemblyBytes: Int
    /// The largest frame the connection writes (default 64 KiB); longer payloads are
    /// fragmented, as they are beyond the carrier's own limit.
    public var maxOutgoingFrameLength: Int
    /// Polls a blocking call spins through before sleeping in the carrier's `waitForWork`
    /// (default 20,000: tens of microseconds on shared memory, for round-trip latency),
    /// yielding the processor on the way (every ``memoryPollsPerYield`` empty polls on a
    /// carrier that receives from memory, at every one on others).
    public var spinPolls: Int
    /// How long a blocking call waits for its answer or for room to send (default 30 s).
    public var requestTimeout: Duration

    /// A configuration; each parameter has the default stated on its property.
    public init(
        dataMIMEType: String = "application/x.ringside.v1", metadataMIMEType: String = "application/octet-stream",
        keepaliveInterval: Duration = .seconds(20), maxLifetime: Duration = .seconds(90), streamWindow: UInt32 = 64,
        maxReassemblyBytes: Int = 16 << 20, maxOutgoingFrameLength: Int = 64 << 10, spinPolls: Int = 20_000, requestTimeout: Duration = .seconds(30)
    ) {
        self.dataMIMEType = dataMIMEType
        self.metadataMIMEType = metadataMIMEType
        self.keepaliveInterval = keepaliveInterval
        self.maxLifetime = maxLifetime
        self.streamWindow = min(max(2, streamWindow), Credit.unbounded)
        self.maxReassemblyBytes = max(0, maxReassemblyBytes)
        self.maxOutgoingFrameLength = max(FrameFragmenter.minimumFrameLength, maxOutgoingFrameLength)
        self.spinPolls = max(0, spinPolls)
        self.requestTimeout = requestTimeout
    }

    /// Empty polls a waiting caller (a blocking request-response, a blocking stream reader,
    /// the ticker) makes between two yields of the processor while it spins for the next
    /// answer or item on a carrier that receives from memory
    /// (``ClientCarrier/receivesFromMemory``: shared memory): a few microseconds kept, then
    /// the processor offered to other threads. An item that arrives while the reader holds
    /// the processor is read within a poll; yielding at every empty poll instead sent a
    /// reader sharing its processor with a thread that yields in a loop (a producer waiting
    /// for its write to be seen) through the scheduler twice per poll, and the item waited
    /// for the round trip.
    static let memoryPollsPerYield = 128

    /// CLOCK_MONOTONIC nanoseconds `duration` from now, saturating (a deadline).
    static func deadline(after duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let limit: Int64 = seconds < 0 ? .min : .max
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return limit }
        let (nanoseconds, carry) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !carry else { return limit }
        let (deadline, late) = Sys.monotonicNanoseconds().addingReportingOverflow(nanoseconds)
        return late ? limit : deadline
    }

    /// A duration in whole milliseconds for a SETUP field (1 to 2^31-1).
    static func milliseconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        return UInt32(clamping: min(max(ms, 1), Int64(Credit.unbounded)))
    }
}
