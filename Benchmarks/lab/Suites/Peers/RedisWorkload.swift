import SeededRandom

/// The lww suite's workload as Redis commands, encoded before anything is timed: write i is
/// `ZADD KEY i MEMBER` with member i's 16 bytes (`LWWWorkload.writeMember`) under a
/// pseudo-random key of `keys` (`LWWWorkload.key`), so scores increase; selects are
/// `ZREVRANGE KEY 0 9` of pseudo-random keys. Pipelined cases send batches of
/// ``batchSize`` commands and then read their replies.
struct RedisWorkload {
    static let batchSize = 512

    let writeCount: Int
    let selectCount: Int
    let roundTrips: Int
    private let writeBatches: [[UInt8]]
    private let selectBatches: [[UInt8]]
    /// One `ZREVRANGE` per key, for the one-at-a-time round trips.
    private let selectCommands: [[UInt8]]
    private let keyCount: Int

    init(keys: Int, writes: Int, selects: Int, roundTrips: Int) {
        keyCount = keys
        writeCount = writes
        selectCount = selects
        self.roundTrips = roundTrips
        let keyBytes = (0..<keys).map { LWWWorkload.key($0) }
        var random = SplitMix64(seed: 0x1ab5)
        var member = [UInt8](repeating: 0, count: LWWWorkload.memberLength)
        var batches: [[UInt8]] = []
        for start in stride(from: 0, to: writes, by: Self.batchSize) {
            var batch: [UInt8] = []
            for i in start..<min(writes, start + Self.batchSize) {
                member.withUnsafeMutableBytes { LWWWorkload.writeMember(i, into: $0) }
                RESP.appendCommand([Array("ZADD".utf8), keyBytes[Int(random.next() % UInt64(keys))], Array(String(i).utf8), member], to: &batch)
            }
            batches.append(batch)
        }
        writeBatches = batches
        selectCommands = keyBytes.map { RESP.command([Array("ZREVRANGE".utf8), $0, Array("0".utf8), Array("9".utf8)]) }
        batches = []
        for start in stride(from: 0, to: selects, by: Self.batchSize) {
            var batch: [UInt8] = []
            for _ in start..<min(selects, start + Self.batchSize) { batch += selectCommands[Int(random.next() % UInt64(keys))] }
            batches.append(batch)
        }
        selectBatches = batches
    }

    /// Sends every write, a batch at a time; returns writes per second.
    func zaddPipelined(_ client: RESPClient) throws -> Double {
        let start = monotonicNanos()
        var remaining = writeCount
        for batch in writeBatches {
            try batch.withUnsafeBytes { try client.send($0) }
            let count = min(remaining, Self.batchSize)
            try client.readReplies(count) { reply in
                guard case .integer = reply else { throw RESPError.unexpected(reply) }
            }
            remaining -= count
        }
        return Double(writeCount) / (Double(monotonicNanos() - start) / 1e9)
    }

    /// Sends every select, a batch at a time, checking each reply holds 1 to 10 members;
    /// returns selects per second.
    func zrevrangePipelined(_ client: RESPClient) throws -> Double {
        let start = monotonicNanos()
        var remaining = selectCount
        for batch in selectBatches {
            try batch.withUnsafeBytes { try client.send($0) }
            let count = min(remaining, Self.batchSize)
            try client.readReplies(count, Self.checkTop10)
            remaining -= count
        }
        return Double(selectCount) / (Double(monotonicNanos() - start) / 1e9)
    }

    /// ``roundTrips`` selects one at a time (each reply read before the next is sent), in a
    /// histogram of nanoseconds.
    func zrevrangeOneAtATime(_ client: RESPClient, run: Int) throws -> LatencyHistogram.Percentiles {
        var histogram = LatencyHistogram()
        var random = SplitMix64(seed: UInt64(run))
        for _ in 0..<roundTrips {
            let command = selectCommands[Int(random.next() % UInt64(keyCount))]
            let start = monotonicNanos()
            try command.withUnsafeBytes { try client.send($0) }
            try client.readReplies(1, Self.checkTop10)
            histogram.record(monotonicNanos() - start)
        }
        return histogram.percentiles
    }

    /// A top-10 reply: an array of at most 10 bulk strings (empty for a key never written).
    private static func checkTop10(_ reply: RESPValue) throws {
        guard case .array(let members?) = reply, members.count <= 10,
              members.allSatisfy({ if case .bulk(let bytes?) = $0 { bytes.count == LWWWorkload.memberLength } else { false } })
        else { throw RESPError.unexpected(reply) }
    }
}
