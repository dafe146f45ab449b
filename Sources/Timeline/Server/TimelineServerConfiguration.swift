import Journal
import Transport

/// How a ``TimelineServer`` runs: its name and listeners, the engine's limits, durability,
/// and the transport's settings.
public struct TimelineServerConfiguration: Sendable {
    /// The server's name (`--name`): its shared-memory segments are `/NAME-ctl`,
    /// `/NAME-stat` and `/NAME-ch-PID-SEQ`. Default `ringside`.
    public var name: String
    /// Where to listen for TCP as well (`--tcp HOST:PORT`; port 0: a free one), or nil.
    public var tcp: TCPAddress?
    /// The engine's limits (`--max-size`: ``TimelineEngine/Configuration/maxSize``).
    public var engine: TimelineEngine.Configuration
    /// The data directory (`--data-dir`): every accepted write is logged there and replayed
    /// at start; nil keeps the set in memory only.
    public var dataDirectory: String?
    /// The journal's options (record limit, when to snapshot).
    public var journal: JournalOptions
    /// The shared-memory carrier's sizes (its name is ``name``).
    public var sharedMemory: SharedMemoryServerConfiguration
    /// The TCP carrier's sizes.
    public var tcpCarrier: TCPCarrierConfiguration
    /// The transport server's settings (session limits, poll loop).
    public var server: ServerConfiguration
    /// Whether to publish the stat segment `/NAME-stat` (`ringside stat` reads it).
    public var publishesStat: Bool
    /// Connections the stat segment lists (more are served and counted, not listed).
    public var statConnections: Int
    /// Whether starting the server makes the process's threads share glibc's main malloc
    /// arena (`Sys.shareMainMallocArena()`), so that the set, which grows on the poll thread,
    /// grows by `brk` and not by an `mprotect` per heap growth (6 % of the poll thread's time
    /// in a flood, measured). Process-wide: a process embedding the server whose other
    /// threads allocate heavily may turn it off. Default true.
    public var sharesMainMallocArena: Bool

    /// A configuration; the defaults serve `ringside` over shared memory, in memory only.
    public init(
        name: String = "ringside", tcp: TCPAddress? = nil, engine: TimelineEngine.Configuration = .init(),
        dataDirectory: String? = nil, journal: JournalOptions = JournalOptions(),
        sharedMemory: SharedMemoryServerConfiguration = SharedMemoryServerConfiguration(),
        tcpCarrier: TCPCarrierConfiguration = TCPCarrierConfiguration(), server: ServerConfiguration = ServerConfiguration(),
        publishesStat: Bool = true, statConnections: Int = 256, sharesMainMallocArena: Bool = true
    ) {
        self.name = name
        self.tcp = tcp
        self.engine = engine
        self.dataDirectory = dataDirectory
        self.journal = journal
        self.sharedMemory = sharedMemory
        self.tcpCarrier = tcpCarrier
        self.server = server
        self.publishesStat = publishesStat
        self.statConnections = max(1, statConnections)
        self.sharesMainMallocArena = sharesMainMallocArena
    }
}
