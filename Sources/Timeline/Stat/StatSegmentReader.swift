import Posix
import ShmRing
import Synchronization

/// Reads a server's stat segment (<doc:StatSegment>) as AeronStat reads Aeron's CnC file:
/// it maps the segment, checks the layout, and copies the words with relaxed loads; the
/// server never notices. Every word is untrusted: sizes are checked against the region
/// before anything is read.
public enum StatSegmentReader {
    /// Why no reading could be taken.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// No stat segment under that name: no server runs.
        case notRunning(name: String)
        /// The segment's owner process is gone: the server died without cleaning up.
        case dead(name: String, pid: Int32)
        /// The segment cannot be read (a layout this reader does not know, a size that does
        /// not fit, a system call failing).
        case unreadable(name: String, reason: String)

        /// One line for `ringside stat`.
        public var description: String {
            switch self {
            case .notRunning(let name): "no server named '\(name)' is running (no /\(name)-stat segment)"
            case .dead(let name, let pid): "server '\(name)' (pid \(pid)) is dead: its segments are stale (a new server reclaims them)"
            case .unreadable(let name, let reason): "stat segment of '\(name)' unreadable: \(reason)"
            }
        }
    }

    /// One reading of server `name`'s counters and connections.
    public static func read(server name: String) throws(Failure) -> ServerStat {
        let segmentName = StatSegmentWriter.segmentName(server: name)
        let segment: SharedMemorySegment
        do {
            segment = try SharedMemorySegment.open(name: segmentName)
        } catch {
            switch error.reason {
            case .system(let errno) where errno == .noSuchFile: throw .notRunning(name: name)
            case .ownerGone(let pid): throw .dead(name: name, pid: pid)
            default: throw .unreadable(name: name, reason: error.description)
            }
        }
        guard let region = segment.unsafeRegionBytes(0) else { throw .unreadable(name: name, reason: "no region 0") }
        let words = Words(region: region)
        guard words.count >= StatLayout.connectionsWord else {
            throw .unreadable(name: name, reason: "region of \(region.count) bytes is smaller than the header and counters")
        }
        guard words[StatLayout.magicWord, acquiring: true] == StatLayout.magic else {
            throw .unreadable(name: name, reason: "bad magic (not a stat segment, or still being created)")
        }
        let version = words[StatLayout.versionWord]
        let major = UInt32(truncatingIfNeeded: version)
        let minor = UInt32(truncatingIfNeeded: version >> 32)
        guard major == StatLayout.major else {
            throw .unreadable(name: name, reason: "layout major \(major); this reader reads \(StatLayout.major)")
        }
        let capacities = words[StatLayout.capacityWord]
        let counterCapacity = Int(UInt32(truncatingIfNeeded: capacities))
        let connectionCapacity = Int(UInt32(truncatingIfNeeded: capacities >> 32))
        guard counterCapacity == StatLayout.counterCapacity,
              StatLayout.connectionsWord + connectionCapacity * StatLayout.connectionWords <= words.count else {
            throw .unreadable(name: name, reason: "capacities (\(counterCapacity) counters, \(connectionCapacity) connections) do not fit the region")
        }
        let now = Sys.monotonicNanoseconds()
        var counters: [String: UInt64] = [:]
        for counter in StatCounter.allCases {
            counters[counter.name] = words[StatLayout.countersWord + counter.rawValue]
        }
        let slotsUsed = min(Int(clamping: words[StatLayout.slotsUsedWord]), connectionCapacity)
        var connections: [ConnectionStat] = []
        for entry in 0 ..< slotsUsed {
            if let connection = readEntry(words, entry, now: now) { connections.append(connection) }
        }
        let segments = ((try? Sys.sharedMemoryNames(withPrefix: name + "-")) ?? []).filter { segment in
            segment == "/\(name)-ctl" || segment == "/\(name)-stat" || segment.hasPrefix("/\(name)-ch-")
        }.sorted()
        return ServerStat(
            name: name, layout: "\(major).\(minor)", pid: Int32(truncatingIfNeeded: words[StatLayout.pidWord]),
            startTimeNanoseconds: words[StatLayout.startTimeWord],
            heartbeatAgeMilliseconds: Double(now &- Int64(bitPattern: words[StatLayout.heartbeatWord])) / 1e6,
            state: ServerState(rawValue: words[StatLayout.stateWord]) == .stopping ? "stopping" : "running",
            durable: words[StatLayout.flagsWord] & 1 != 0, segments: segments, counters: counters, connections: connections)
    }

    /// One connection entry, read between two equal even versions (retried a few times
    /// while the server writes it); nil when free or never stable.
    private static func readEntry(_ words: Words, _ entry: Int, now: Int64) -> ConnectionStat? {
        let base = StatLayout.connectionsWord + entry * StatLayout.connectionWords
        for _ in 0 ..< 8 {
            let before = words[base + StatLayout.entryVersion, acquiring: true]
            guard before & 1 == 0 else { continue }
            var fields = [UInt64](repeating: 0, count: StatLayout.connectionWords)
            for index in 0 ..< StatLayout.connectionWords { fields[index] = words[base + index] }
            atomicMemoryFence(ordering: .acquiring)
            guard words[base + StatLayout.entryVersion] == before else { continue }
            guard before != 0, fields[StatLayout.entryState] != 0 else { return nil }
            return connection(fields, now: now)
        }
        return nil
    }

    /// A stable entry's fields as a ``ConnectionStat``.
    private static func connection(_ fields: [UInt64], now: Int64) -> ConnectionStat {
        let carrier: String = switch fields[StatLayout.entryCarrier] {
        case 1: "shm"
        case 2: "tcp"
        default: "other"
        }
        let encoding: String? = switch fields[StatLayout.entryEncoding] {
        case 1: "binary"
        case 2: "json"
        default: nil
        }
        let peerLength = min(Int(clamping: fields[StatLayout.entryPeerLength]), StatLayout.peerCapacity)
        let peer = fields[StatLayout.entryPeer ..< StatLayout.entryPeer + StatLayout.peerCapacity / 8].withUnsafeBytes { bytes in
            String(decoding: bytes.prefix(peerLength), as: UTF8.self)
        }
        let isShm = carrier == "shm"
        let heartbeatAge = Int64(bitPattern: fields[StatLayout.entryHeartbeatAge])
        return ConnectionStat(
            carrier: carrier, connection: fields[StatLayout.entryConnection], peer: peer,
            state: fields[StatLayout.entryState] == 2 ? "setup" : "open", encoding: encoding,
            ageSeconds: Double(now &- Int64(bitPattern: fields[StatLayout.entryOpenedAt])) / 1e9,
            requests: fields[StatLayout.entryRequests],
            clientPid: isShm ? Int32(truncatingIfNeeded: fields[StatLayout.entryClientPid]) : nil,
            inboundLag: isShm ? Int64(bitPattern: fields[StatLayout.entryInboundLag]) : nil,
            outboundLag: isShm ? Int64(bitPattern: fields[StatLayout.entryOutboundLag]) : nil,
            clientHeartbeatAgeMilliseconds: isShm && heartbeatAge >= 0 ? Double(heartbeatAge) / 1e6 : nil)
    }

    /// The region as atomic 8-byte words, loaded relaxed (or acquiring).
    private struct Words {
        let base: UnsafeMutableRawPointer
        let count: Int

        init(region: UnsafeMutableRawBufferPointer) {
            base = region.baseAddress!
            count = region.count / 8
        }

        subscript(_ index: Int, acquiring acquiring: Bool = false) -> UInt64 {
            let word = (base + index * 8).assumingMemoryBound(to: Atomic<UInt64>.self)
            return acquiring ? word.pointee.load(ordering: .acquiring) : word.pointee.load(ordering: .relaxed)
        }
    }
}
