import Glibc
import Posix
import ShmRing
import Synchronization

/// The server's side of its stat segment `/NAME-stat` (<doc:StatSegment>): created 0600 at
/// start, written only by the server's poll thread with relaxed atomic stores, unlinked at
/// stop. `ringside stat` reads it with ``StatSegmentReader``.
final class StatSegmentWriter {
    /// The segment name.
    let name: String
    /// How many connections the table holds; more are counted but not listed.
    let connectionCapacity: Int
    private let segment: SharedMemorySegment
    private let base: UnsafeMutableRawPointer
    /// Free connection entries, and the entries used so far.
    private var freeEntries: [Int] = []
    private var slotsUsed = 0

    /// The segment name of server `server` (a validated server name): `/NAME-stat`.
    static func segmentName(server: String) -> String { "/\(server)-stat" }

    /// Creates the segment (a stale one left by a dead server is reclaimed; a live server's
    /// is refused by `SharedMemorySegment.create`) and writes its header.
    init(server: String, connectionCapacity: Int, durable: Bool) throws(SegmentError) {
        name = Self.segmentName(server: server)
        self.connectionCapacity = connectionCapacity
        segment = try SharedMemorySegment.create(name: name, regionSizes: [StatLayout.regionSize(connections: connectionCapacity)])
        guard let region = segment.unsafeRegionBytes(0)?.baseAddress else {
            try? SharedMemorySegment.unlink(name: name)
            throw SegmentError(.validateLayout, name: name, .badRegions("stat segment has no region 0"))
        }
        base = region
        freeEntries.reserveCapacity(connectionCapacity)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        store(StatLayout.capacityWord, UInt64(StatLayout.counterCapacity) | UInt64(connectionCapacity) << 32)
        store(StatLayout.pidWord, UInt64(getpid()))
        store(StatLayout.startTimeWord, UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
        store(StatLayout.flagsWord, durable ? 1 : 0)
        store(StatLayout.stateWord, ServerState.running.rawValue)
        heartbeat()
        store(StatLayout.versionWord, UInt64(StatLayout.major) | UInt64(StatLayout.minor) << 32)
        word(StatLayout.magicWord).pointee.store(StatLayout.magic, ordering: .releasing)
    }

    // MARK: Header and counters

    /// Stores the heartbeat: now, on the monotonic clock.
    func heartbeat() { store(StatLayout.heartbeatWord, UInt64(bitPattern: Sys.monotonicNanoseconds())) }

    /// Stores the server's state.
    func setState(_ state: ServerState) { store(StatLayout.stateWord, state.rawValue) }

    /// Stores one counter.
    @inline(__always)
    func set(_ counter: StatCounter, _ value: UInt64) { store(StatLayout.countersWord + counter.rawValue, value) }

    /// Stores one counter from an `Int` (negative values as 0).
    @inline(__always)
    func set(_ counter: StatCounter, _ value: Int) { set(counter, UInt64(clamping: value)) }

    // MARK: Connections

    /// Lists a new connection: its entry, or nil when the table is full.
    func openConnection(_ connection: UInt64, carrier: UInt64, peer: String, now: Int64) -> Int? {
        let entry: Int
        if let free = freeEntries.popLast() {
            entry = free
        } else if slotsUsed < connectionCapacity {
            entry = slotsUsed
            slotsUsed += 1
            store(StatLayout.slotsUsedWord, UInt64(slotsUsed))
        } else {
            return nil
        }
        update(entry) {
            store(entry, StatLayout.entryState, 1)
            store(entry, StatLayout.entryCarrier, carrier)
            store(entry, StatLayout.entryConnection, connection)
            store(entry, StatLayout.entryOpenedAt, UInt64(bitPattern: now))
            store(entry, StatLayout.entryRequests, 0)
            store(entry, StatLayout.entryClientPid, 0)
            store(entry, StatLayout.entryEncoding, 0)
            store(entry, StatLayout.entryInboundLag, 0)
            store(entry, StatLayout.entryOutboundLag, 0)
            store(entry, StatLayout.entryHeartbeatAge, UInt64(bitPattern: -1))
            storePeer(entry, peer)
        }
        return entry
    }

    /// Records the connection's SETUP: its encoding (1 binary, 2 JSON).
    func setUp(_ entry: Int, encoding: UInt64) {
        update(entry) {
            store(entry, StatLayout.entryState, 2)
            store(entry, StatLayout.entryEncoding, encoding)
        }
    }

    /// Stores the connection's request count.
    func setRequests(_ entry: Int, _ requests: UInt64) {
        update(entry) { store(entry, StatLayout.entryRequests, requests) }
    }

    /// Stores what the shared-memory carrier says of the connection's channel.
    func setChannel(_ entry: Int, clientPid: Int32, inboundLag: Int64, outboundLag: Int64, heartbeatAge: Int64) {
        update(entry) {
            store(entry, StatLayout.entryClientPid, UInt64(clientPid))
            store(entry, StatLayout.entryInboundLag, UInt64(bitPattern: inboundLag))
            store(entry, StatLayout.entryOutboundLag, UInt64(bitPattern: outboundLag))
            store(entry, StatLayout.entryHeartbeatAge, UInt64(bitPattern: heartbeatAge))
        }
    }

    /// Frees the connection's entry.
    func closeConnection(_ entry: Int) {
        update(entry) { store(entry, StatLayout.entryState, 0) }
        freeEntries.append(entry)
    }

    // MARK: Words

    /// Runs `body` between the two version bumps of `entry` (odd while it writes).
    private func update(_ entry: Int, _ body: () -> Void) {
        let version = word(entryWord(entry, StatLayout.entryVersion))
        let current = version.pointee.load(ordering: .relaxed)
        version.pointee.store(current | 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        body()
        version.pointee.store((current | 1) &+ 1, ordering: .releasing)
    }

    private func storePeer(_ entry: Int, _ peer: String) {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let count = withUnsafeMutableBytes(of: &bytes) { buffer in
            var count = 0
            for byte in peer.utf8.prefix(StatLayout.peerCapacity) {
                buffer[count] = byte
                count += 1
            }
            return count
        }
        store(entry, StatLayout.entryPeerLength, UInt64(count))
        withUnsafeBytes(of: &bytes) { buffer in
            for index in 0 ..< StatLayout.peerCapacity / 8 {
                store(entry, StatLayout.entryPeer + index, buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            }
        }
    }

    private func entryWord(_ entry: Int, _ field: Int) -> Int {
        StatLayout.connectionsWord + entry * StatLayout.connectionWords + field
    }

    @inline(__always)
    private func store(_ entry: Int, _ field: Int, _ value: UInt64) { store(entryWord(entry, field), value) }

    @inline(__always)
    private func store(_ index: Int, _ value: UInt64) { word(index).pointee.store(value, ordering: .relaxed) }

    @inline(__always)
    private func word(_ index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (base + index * 8).assumingMemoryBound(to: Atomic<UInt64>.self)
    }
}
