/// The layout of the stat segment's region 0 (<doc:StatSegment>): every field is an 8-byte
/// little-endian word, stored by the server alone with relaxed atomic stores and read by
/// `ringside stat` with relaxed loads.
enum StatLayout {
    /// `RSIDSTAT` as a little-endian word.
    static let magic: UInt64 = 0x5441_5453_4449_5352
    /// Changed when a reader of the previous major cannot read the layout.
    static let major: UInt32 = 1
    /// Changed when fields are appended (counters, connection fields in reserved words).
    static let minor: UInt32 = 0

    // Header words.
    static let magicWord = 0
    /// Major in the low 32 bits, minor in the high 32.
    static let versionWord = 1
    /// Counter capacity in the low 32 bits, connection capacity in the high 32.
    static let capacityWord = 2
    static let pidWord = 3
    /// Wall-clock start time, nanoseconds since the Unix epoch.
    static let startTimeWord = 4
    /// Monotonic nanoseconds (`CLOCK_MONOTONIC`, comparable across processes) of the last
    /// heartbeat.
    static let heartbeatWord = 5
    /// ``ServerState`` raw value.
    static let stateWord = 6
    /// Connection slots ever used (the reader scans this many).
    static let slotsUsedWord = 7
    /// Bit 0: durable (`--data-dir`).
    static let flagsWord = 8
    static let headerWords = 16

    /// Counter slots (more than ``StatCounter`` has: room to append).
    static let counterCapacity = 64
    static let countersWord = headerWords

    /// Connection entries: 20 words each.
    static let connectionWords = 20
    static let connectionsWord = countersWord + counterCapacity

    // Connection entry words.
    /// Even: stable; odd: being written (the reader retries); 0: never used.
    static let entryVersion = 0
    /// 0 free, 1 open (no SETUP yet), 2 set up.
    static let entryState = 1
    /// 1 shared memory, 2 TCP, 3 another carrier.
    static let entryCarrier = 2
    static let entryConnection = 3
    /// Monotonic nanoseconds when it opened.
    static let entryOpenedAt = 4
    static let entryRequests = 5
    /// The shm client's pid (0: not shared memory).
    static let entryClientPid = 6
    /// 0 none yet, 1 binary, 2 JSON.
    static let entryEncoding = 7
    static let entryInboundLag = 8
    static let entryOutboundLag = 9
    /// Nanoseconds since the shm client's heartbeat (-1: unknown).
    static let entryHeartbeatAge = 10
    static let entryPeerLength = 11
    static let entryPeer = 12
    /// Bytes of peer text kept (words 12 to 19).
    static let peerCapacity = 64

    /// Region 0's size for `connections` entries.
    static func regionSize(connections: Int) -> Int { (connectionsWord + connections * connectionWords) * 8 }
}

/// What the server is doing, as its stat segment says.
public enum ServerState: UInt64, Sendable, Codable {
    /// Serving.
    case running = 1
    /// Stopping: no new connections; answering what is in flight.
    case stopping = 2
}
