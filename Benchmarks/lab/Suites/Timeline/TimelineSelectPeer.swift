import Frames
import SeededRandom
import ShmRing
import Timeline
import Transport

/// The select client of a timeline run, once the producers have filled the set: top-10
/// selects (offset 0, limit 10, binary encoding) of pseudo-random keys of the workload.
/// Pipelined: `WINDOW` requests in flight on one connection (the connection's asynchronous
/// request-response, one task per request in flight), a new one sent as each answer comes
/// back, until PIPELINED are sent or the time budget is spent (the rate is the answers over
/// the time they took). One at a time: ``TimelineClient/select(key:offset:limit:)``, each answer read
/// before the next request is sent, its round trip timed. Every answer must hold 1 to 10
/// entries (every key has been written).
enum TimelineSelectPeer {
    static let role = "timeline-select"

    /// The arguments after the common four.
    static func arguments(pipelined: Int, window: Int, roundTrips: Int, seed: Int, budget: Duration) -> [String] {
        [pipelined, window, roundTrips, seed, Int(budget / .milliseconds(1))].map(String.init)
    }

    /// Peer role: `... PIPELINED WINDOW ROUND_TRIPS SEED BUDGET_MS`; stores the pipelined rate
    /// (answers over the time they took; no new request is sent once BUDGET_MS have passed,
    /// so a stalling connection cannot stretch the suite) and the round-trip figures.
    @Sendable
    static func peer(_ arguments: [String]) throws {
        try TimelinePeer.run(arguments) { peer in
            let (pipelined, window, roundTrips, seed) = (try peer.integer(0), try peer.integer(1), try peer.integer(2), try peer.integer(3))
            let budget = Int64(try peer.integer(4)) * 1_000_000
            let workload = TimelineWorkload()
            var random = SplitMix64(seed: UInt64(seed))
            let order = (0 ..< pipelined).map { _ in Int(random.next() % UInt64(workload.keyCount)) }
            let requests = try workload.keys.map(selectRequest)

            let connection = try Connection(carrier: try carrier(peer.endpoint), configuration: ConnectionConfiguration(
                dataMIMEType: TimelineEncoding.binary.mimeType))
            let rate = try TimelinePeer.blocking {
                let start = monotonicNanos()
                return try await withThrowingTaskGroup(of: Int.self, returning: Double.self) { group in
                    var sent = 0
                    while sent < min(window, pipelined) {
                        let request = requests[order[sent]]
                        group.addTask { try await entries(connection, request) }
                        sent += 1
                    }
                    var answered = 0
                    while let count = try await group.next() {
                        guard (1 ... 10).contains(count) else { throw LabError("a top-10 select answered \(count) entries") }
                        answered += 1
                        guard sent < pipelined, monotonicNanos() - start < budget else { continue }
                        let request = requests[order[sent]]
                        group.addTask { try await entries(connection, request) }
                        sent += 1
                    }
                    return Double(answered) / (Double(monotonicNanos() - start) / 1e9)
                }
            }
            connection.close()
            peer.control.selectRate.pointee.store(Int64(bitPattern: rate.bitPattern), ordering: .releasing)

            let client = try TimelineClient(connectingTo: peer.endpoint)
            defer { client.close() }
            var histogram = LatencyHistogram()
            for _ in 0 ..< roundTrips {
                let key = workload.keys[Int(random.next() % UInt64(workload.keyCount))]
                let start = monotonicNanos()
                let count = try client.select(key: key, offset: 0, limit: 10).count
                histogram.record(monotonicNanos() - start)
                guard (1 ... 10).contains(count) else { throw LabError("a top-10 select answered \(count) entries") }
            }
            peer.control.store(histogram.percentiles, as: .selectRoundTrip)
        }
    }

    /// The binary top-10 select of `key`, encoded.
    private static func selectRequest(_ key: [UInt8]) throws -> [UInt8] {
        let request = try key.withUnsafeBytes { try TimelineRequest.select(key: $0, offset: 0, limit: 10) }
        var bytes = [UInt8](repeating: 0, count: request.encodedByteCount)
        bytes.withUnsafeMutableBytes { request.unsafeEncode(into: $0) }
        return bytes
    }

    /// Sends `request` and returns how many entries its answer holds.
    private static func entries(_ connection: Connection, _ request: [UInt8]) async throws -> Int {
        let answer = try await connection.requestResponse(data: request)
        return try answer.data.withUnsafeBytes { bytes in
            guard case .records(let records) = try TimelineResponse(decoding: bytes) else {
                throw LabError("a select was answered without records")
            }
            return records.count
        }
    }

    /// The carrier to `endpoint`.
    private static func carrier(_ endpoint: TimelineEndpoint) throws -> any ClientCarrier {
        switch endpoint {
        case .sharedMemory(let name):
            return try SharedMemoryClientCarrier(configuration: SharedMemoryClientConfiguration(name: name))
        case .tcp(let host, let port):
            return try TCPClientCarrier(connectingTo: try TCPAddress(parsing: "\(host):\(port)"))
        }
    }
}
