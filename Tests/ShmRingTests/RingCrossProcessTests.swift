import Glibc
import Harness
import PeerSupport
import SeededRandom
import Testing
@testable import ShmRing

/// Rings shared with real `ring-peer` processes. Serialized: each test keeps the two cores
/// busy with its own producers.
@Suite("Rings across processes", .serialized)
struct RingCrossProcessTests {
    private static let capacity = 64 * 1024
    private static let regionSize = RingLayout.regionSize(capacity: capacity)
    private static let messageLength = 24

    @Test("one producer process, 1,000,000 messages, received exactly once and in order")
    func oneProducer() throws {
        try TestSupport.withSegment("spsc", regionSizes: [Self.regionSize]) { segment throws in
            let ring = try OneToOneRing(segment: segment, region: 0)
            let count = 1_000_000
            let producer = try RingPeer.spawn(["produce", segment.name, "0", "one", "0", "\(count)", "\(Self.messageLength)"])
            defer { producer.kill() }
            var check = SequenceCheck(producers: 1, length: Self.messageLength)
            try consume(ring, peers: [producer], check: &check) { $0.next[0] == UInt64(count) }
            #expect(check.faults == 0)
            #expect(producer.wait() == .exited(0))
            #expect(try ring.readAll().isEmpty)
        }
    }

    @Test("four producer processes into one ring, 250,000 each: no gaps, no duplicates")
    func fourProducers() throws {
        try TestSupport.withSegment("mpsc", regionSizes: [Self.regionSize]) { segment throws in
            let ring = try ManyToOneRing(segment: segment, region: 0)
            let each = 250_000
            let producers = try (0..<4).map { id in
                try RingPeer.spawn(["produce", segment.name, "0", "many", "\(id)", "\(each)", "\(Self.messageLength)"])
            }
            defer { producers.forEach { $0.kill() } }
            var check = SequenceCheck(producers: 4, length: Self.messageLength)
            try consume(ring, peers: producers, check: &check) { check in check.next.allSatisfy { $0 == UInt64(each) } }
            #expect(check.faults == 0)
            for producer in producers { #expect(producer.wait() == .exited(0)) }
        }
    }

    @Test("a producer killed mid-stream and one stopped between claim and commit do not wedge the consumer")
    func deadProducers() throws {
        try TestSupport.withSegment("dead", regionSizes: [Self.regionSize]) { segment throws in
            let ring = try ManyToOneRing(segment: segment, region: 0)
            let name = segment.name
            let beforeClaim = 1000
            let stopped = try RingPeer.spawn(["claim-and-stop", name, "0", "3", "\(beforeClaim)"])
            defer { stopped.kill() }
            #expect(stopped.waitUntilStopped())
            let each = 100_000
            let killed = try RingPeer.spawn(["produce", name, "0", "many", "2", "-1", "\(PeerMessage.headerLength)"])
            defer { killed.kill() }
            let steady = try (0..<2).map { id in
                try RingPeer.spawn(["produce", name, "0", "many", "\(id)", "\(each)", "\(PeerMessage.headerLength)"])
            }
            defer { steady.forEach { $0.kill() } }
            var check = SequenceCheck(producers: 4, length: PeerMessage.headerLength)
            var unblocked = try consume(ring, peers: steady, check: &check, unblockAfter: .milliseconds(250)) { check in
                if check.next[2] >= 20_000 { killed.kill() }
                return check.next[0] == UInt64(each) && check.next[1] == UInt64(each)
                    && check.next[3] == UInt64(beforeClaim) && killed.poll() != nil
            }
            // Drain what the killed producer committed, unblocking its last claim if it died in one.
            unblocked += try consume(ring, peers: [], check: &check, unblockAfter: .milliseconds(250), quietFor: .milliseconds(800)) { _ in false }
            #expect(unblocked >= 1)  // the stopped producer's claim, at least
            #expect(check.faults == 0)
            #expect(check.next[2] >= 20_000)
            #expect(killed.wait() == .signalled(SIGKILL))
            for producer in steady { #expect(producer.wait() == .exited(0)) }
        }
    }

    @Test("random bytes over a live ring's records and trailer: reported as corrupt, the process carries on")
    func corruption() throws {
        try TestSupport.withSegment("corrupt", regionSizes: [Self.regionSize, Self.regionSize]) { segment throws in
            let ring = try OneToOneRing(segment: segment, region: 0)
            let producer = try RingPeer.spawn(["produce", segment.name, "0", "one", "0", "-1", "\(Self.messageLength)"])
            defer { producer.kill() }
            var check = SequenceCheck(producers: 1, length: Self.messageLength)
            try consume(ring, peers: [producer], check: &check) { $0.next[0] >= 10_000 }
            #expect(check.faults == 0)
            var random = SplitMix64(seed: 0x5EED)
            guard let region = segment.unsafeRegionBytes(0) else { throw TestFailure("no region 0") }
            for offset in stride(from: 0, to: region.count, by: 8) {
                region.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self)
            }
            var reported: RingError?
            for _ in 0..<100_000 where reported == nil {
                do throws(RingError) { try ring.read { _, _ in } } catch { reported = error }
            }
            guard let reported, case .corrupt = reported else {
                Issue.record("corruption not reported: \(String(describing: reported))")
                return
            }
            #expect(throws: reported) { try ring.read { _, _ in } }
            // The process carries on: another ring of the segment works.
            let other = try OneToOneRing(segment: segment, region: 1)
            #expect(try other.write(type: 1, [42]) == .written)
            #expect(try other.readAll().map(\.1) == [[42]])
        }
    }

    /// Reads `ring` until `done` holds, checking every message; with `unblockAfter`, unblocks
    /// stuck claims when reads stall. Stops early (throwing) if a peer fails, and, as a guard
    /// against a hung test, after 60 s without a message. With `quietFor`, returns once no
    /// message has come for that long. Returns how many records it unblocked.
    @discardableResult
    private func consume(
        _ ring: RecordRing, peers: [ChildProcess], check: inout SequenceCheck,
        unblockAfter: Duration? = nil, quietFor: Duration? = nil,
        until done: (SequenceCheck) -> Bool
    ) throws -> Int {
        var idle = YieldingIdleStrategy()
        var unblocked = 0
        var lastMessage = ContinuousClock.now
        while !done(check) {
            let count = try ring.read { type, payload in check.see(type: type, payload: payload) }
            idle.idle(count)
            if count > 0 {
                lastMessage = .now
                continue
            }
            if let unblockAfter, let manyToOne = ring as? ManyToOneRing, try manyToOne.unblockIfStalled(after: unblockAfter) {
                unblocked += 1
                continue
            }
            let quiet = ContinuousClock.now - lastMessage
            if let quietFor, quiet >= quietFor { return unblocked }
            for peer in peers {
                if let ended = peer.poll(), ended != .exited(0) { throw PeerError(description: "peer \(peer.pid) ended: \(ended)") }
            }
            if quiet > .seconds(60) { throw PeerError(description: "no message for 60 s") }
        }
        return unblocked
    }
}

/// Checks the peers' messages: per producer, sequence numbers from 0 without gaps or
/// duplicates, the expected length, and the filler bytes.
struct SequenceCheck {
    /// The next sequence number expected from each producer.
    var next: [UInt64]
    /// Messages that broke a rule.
    var faults = 0
    let length: Int

    init(producers: Int, length: Int) {
        next = Array(repeating: 0, count: producers)
        self.length = length
    }

    mutating func see(type: Int32, payload: UnsafeRawBufferPointer) {
        guard type == 1, payload.count == length, let message = PeerMessage.decode(payload),
              Int(message.producer) < next.count, message.sequence == next[Int(message.producer)] else {
            faults += 1
            return
        }
        next[Int(message.producer)] = message.sequence + 1
    }
}
