import SeededRandom
import Testing
@testable import ShmRing

/// Random operations against both ring kinds, checked against an in-memory queue: every
/// message comes out exactly once, in order, and the ring reports full exactly when a
/// record has no room.
@Suite("Ring model")
struct RingModelTests {
    private static let capacity = 1024
    private static let wraps = 2000

    @Test("random writes, claims and reads match a queue over thousands of wraps", arguments: [false, true])
    func model(manyProducers: Bool) throws {
        try TestSupport.withSegment("model", regionSizes: [RingLayout.regionSize(capacity: Self.capacity)]) { segment throws in
            let ring: RecordRing = manyProducers
                ? try ManyToOneRing(segment: segment, region: 0) : try OneToOneRing(segment: segment, region: 0)
            var model = Model(ring: ring, random: SplitMix64(seed: manyProducers ? 2 : 1))
            while model.bytesWritten < Self.wraps * Self.capacity {
                switch model.random.next() % 8 {
                case 0...2: try model.write()
                case 3: try model.claim()
                case 4...5: try model.read()
                default: try model.controlledRead()
                }
            }
            while !model.expected.isEmpty { try model.read() }
            #expect(ring.occupiedBytes == 0)
            #expect(model.messages > 20_000)
        }
    }

    /// The queue the ring must behave like, and the operations applied to both.
    private struct Model {
        let ring: RecordRing
        var random: SplitMix64
        var expected: [(type: Int32, bytes: [UInt8])] = []
        var front = 0
        var bytesWritten = 0
        var messages = 0

        init(ring: RecordRing, random: SplitMix64) {
            self.ring = ring
            self.random = random
        }

        /// A random message of 1 byte to the maximum length.
        mutating func message() -> (type: Int32, bytes: [UInt8]) {
            let length = Int.random(in: 1...ring.maxMessageLength, using: &random)
            let seed = UInt8.random(in: 0...255, using: &random)
            return (Int32.random(in: 1...1000, using: &random), (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed })
        }

        /// Whether a record for `length` payload bytes fits now, from the positions alone.
        func fits(_ length: Int) -> Bool {
            let aligned = RingLayout.aligned(length + RingLayout.recordHeaderLength)
            let mask = ring.capacity - 1
            let tailIndex = Int(ring.producerPosition) & mask
            let headIndex = Int(ring.consumerPosition) & mask
            let free = ring.capacity - ring.occupiedBytes
            return aligned <= free && (aligned <= ring.capacity - tailIndex || aligned <= headIndex)
        }

        mutating func accepted(_ message: (type: Int32, bytes: [UInt8])) {
            expected.append(message)
            bytesWritten += RingLayout.aligned(message.bytes.count + RingLayout.recordHeaderLength)
        }

        mutating func write() throws {
            let message = message()
            let fits = fits(message.bytes.count)
            let result = try ring.write(type: message.type, message.bytes)
            #expect(result == (fits ? .written : .full))
            if result == .written { accepted(message) }
        }

        mutating func claim() throws {
            let message = message()
            let fits = fits(message.bytes.count)
            guard let claim = try ring.tryClaim(type: message.type, length: message.bytes.count) else {
                #expect(!fits)
                return
            }
            #expect(fits)
            claim.withUnsafeMutableBytes { $0.copyBytes(from: message.bytes) }
            if Bool.random(using: &random) {
                claim.commit()
                accepted(message)
            } else {
                claim.abort()
            }
        }

        mutating func read() throws {
            var seen: [(Int32, [UInt8])] = []
            let count = try ring.read(limit: Int.random(in: 1...20, using: &random)) { type, payload in
                seen.append((type, Array(payload)))
            }
            #expect(count == seen.count)
            for message in seen { consume(message) }
        }

        mutating func controlledRead() throws {
            let actions: [ControlledReadAction] = (0..<20).map { _ in
                [.abort, .break, .commit, .continue, .continue][Int.random(in: 0..<5, using: &random)]
            }
            var seen: [(Int32, [UInt8], ControlledReadAction)] = []
            let count = try ring.controlledRead { type, payload in
                let action = actions[min(seen.count, actions.count - 1)]
                seen.append((type, Array(payload), action))
                return action
            }
            #expect(count == seen.filter { $0.2 != .abort }.count)
            for (type, bytes, action) in seen {
                if action == .abort {
                    #expect(front < expected.count && expected[front].type == type && expected[front].bytes == bytes)
                } else {
                    consume((type, bytes))
                }
            }
        }

        mutating func consume(_ message: (Int32, [UInt8])) {
            guard front < expected.count else {
                Issue.record("message delivered that was never written")
                return
            }
            #expect(message.0 == expected[front].type)
            #expect(message.1 == expected[front].bytes)
            front += 1
            messages += 1
            if front == expected.count {
                expected.removeAll(keepingCapacity: true)
                front = 0
            }
        }
    }
}
