import Journal
import LWWSet
import Posix
import ShmRing
import Synchronization
import Transport

/// The timeline server (`ringside serve`): one poll thread, the single writer, drains the
/// shared-memory carrier and, with ``TimelineServerConfiguration/tcp``, a TCP carrier that
/// rings the same doorbell; it hands requests to a ``TimelineEngine``, applies each poll
/// batch at once, answers, and feeds tails. With a data directory every accepted write is
/// logged, a request-response write is answered once its batch is synced (group commit on
/// the journal's flusher thread), and the set is rebuilt from the log at start. Counters
/// live in the stat segment `/NAME-stat` for `ringside stat`.
///
/// ```swift
/// let server = try TimelineServer(configuration: .init(name: "ringside", tcp: try TCPAddress(parsing: "127.0.0.1:0")))
/// print("listening on tcp \(server.tcpAddress!)")
/// // ...
/// try server.stop()   // answers what is in flight, syncs the log, unlinks every segment
/// ```
public final class TimelineServer: Sendable {
    /// The shared-memory server name, when it serves shared memory.
    public let name: String?
    /// The TCP address it listens on (the real port when 0 was asked), when it does.
    public let tcpAddress: TCPAddress?
    /// What the data directory replayed at start, when it has one.
    public let replay: ReplayReport?
    /// The transport's counters (connections, frames).
    public var transportCounters: ServerCounters { transport.counters }

    private let transport: TransportServer
    private let durability: TimelineDurability?
    private let control: ServerControl
    private let statName: String?
    private let stopped = Atomic<Bool>(false)

    /// Starts serving shared memory under ``TimelineServerConfiguration/name`` and, when
    /// configured, TCP; replays the data directory first. Fails with a readable error when a
    /// live server holds the name, the address is taken, or the directory is locked or corrupt.
    public convenience init(configuration: TimelineServerConfiguration) throws(TimelineServerError) {
        var shmConfiguration = configuration.sharedMemory
        shmConfiguration.name = configuration.name
        let sharedMemory: SharedMemoryServerCarrier
        do throws(TransportError) {
            sharedMemory = try SharedMemoryServerCarrier(configuration: shmConfiguration)
        } catch {
            throw .transport(error)
        }
        try self.init(
            sharedMemory: sharedMemory, others: [], doorbell: sharedMemory.doorbell, processDoorbell: nil,
            configuration: configuration)
    }

    /// Serves over `carriers` (a loopback carrier in tests), sleeping on `processDoorbell`,
    /// which the carriers were built to ring; TCP, when configured, is added to them.
    public convenience init(
        carriers: [any ServerCarrier & Sendable], processDoorbell: ProcessDoorbell, configuration: TimelineServerConfiguration
    ) throws(TimelineServerError) {
        try self.init(
            sharedMemory: nil, others: carriers, doorbell: processDoorbell.doorbell, processDoorbell: processDoorbell,
            configuration: configuration)
    }

    private init(
        sharedMemory: SharedMemoryServerCarrier?, others: [any ServerCarrier & Sendable], doorbell: Doorbell,
        processDoorbell: ProcessDoorbell?, configuration: TimelineServerConfiguration
    ) throws(TimelineServerError) {
        // Before the poll thread exists, so that it, the set's single writer, allocates from
        // the main arena: the set grows all through a flood, and in an arena of the poll
        // thread's own each growth cost an mprotect call (timeline-shm-binary's loaded phase:
        // 6.1 % of the poll thread's samples in mprotect, 6.9 % under sysmalloc; 0 and 0.3 %
        // after, brk 0.4 %). Process-wide, so the configuration can turn it off.
        if configuration.sharesMainMallocArena { Sys.shareMainMallocArena() }
        var cleanups: [@Sendable () -> Void] = []
        if let sharedMemory { cleanups.append { sharedMemory.shutdown() } }
        func failing(_ error: TimelineServerError) -> TimelineServerError {
            for cleanup in cleanups.reversed() { cleanup() }
            return error
        }
        let engine: TimelineEngine
        do throws(LWWSetError) {
            engine = try TimelineEngine(configuration: configuration.engine)
        } catch {
            throw failing(.engine(error))
        }
        var stat: StatSegmentWriter?
        if configuration.publishesStat {
            do throws(TimelineServerError) {
                let names: SharedMemoryNames
                do throws(TransportError) { names = try SharedMemoryNames(server: configuration.name) } catch { throw .transport(error) }
                do throws(SegmentError) {
                    stat = try StatSegmentWriter(
                        server: names.server, connectionCapacity: configuration.statConnections,
                        durable: configuration.dataDirectory != nil)
                } catch {
                    throw .stat(error)
                }
            } catch {
                throw failing(error)
            }
            if let name = stat?.name { cleanups.append { try? SharedMemorySegment.unlink(name: name) } }
        }
        var durability: TimelineDurability?
        if let directory = configuration.dataDirectory {
            var set = engine.set
            do throws(TimelineServerError) {
                durability = try TimelineDurability(directory: directory, options: configuration.journal, set: &set, doorbell: doorbell)
            } catch {
                throw failing(error)
            }
            engine.set = set
            if let durability { cleanups.append { try? durability.close() } }
        }
        var carriers: [any ServerCarrier] = []
        var kinds: [UInt64] = []
        if let sharedMemory {
            carriers.append(sharedMemory)
            kinds.append(1)
        }
        for carrier in others {
            carriers.append(carrier)
            kinds.append(3)
        }
        var tcp: TCPServerCarrier?
        if let address = configuration.tcp {
            do throws(TransportError) {
                tcp = try TCPServerCarrier(listeningOn: address, doorbell: doorbell, configuration: configuration.tcpCarrier)
            } catch {
                throw failing(.transport(error))
            }
            carriers.append(tcp!)
            kinds.append(2)
        }
        let control = ServerControl()
        let responder = TimelineResponder(
            engine: engine, durability: durability, stat: stat, control: control, carrierKinds: kinds,
            sharedMemory: sharedMemory)
        let bound = tcp?.boundAddress
        do throws(TransportError) {
            if let processDoorbell {
                transport = try TransportServer(
                    carriers: carriers, responder: responder, processDoorbell: processDoorbell, configuration: configuration.server)
            } else {
                transport = try TransportServer(
                    carriers: carriers, responder: responder, doorbell: doorbell, configuration: configuration.server)
            }
        } catch {
            throw failing(.transport(error))
        }
        _ = control.transportCounters.storeIfNil(transport.counters)
        self.name = sharedMemory?.names.server
        self.tcpAddress = bound
        self.replay = durability?.replay
        self.durability = durability
        self.control = control
        self.statName = stat?.name
    }

    deinit {
        try? stop()
    }

    /// Whether the poll thread still runs.
    public var isRunning: Bool { transport.isRunning }

    /// Stops cleanly: no new connections; what already arrived is applied and answered
    /// (the log synced first), every connection is closed, the carriers shut down and their
    /// segments unlinked, the flusher stopped and the journal closed (its lock released),
    /// and the stat segment unlinked. Idempotent; throws when the journal's last commit fails.
    public func stop() throws(TimelineServerError) {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        control.stopping.store(true, ordering: .releasing)
        transport.stop()
        if let statName { try? SharedMemorySegment.unlink(name: statName) }
        if let durability {
            do throws(JournalError) { try durability.close() } catch { throw .journal(error) }
        }
    }
}
