import Glibc
import Harness
import Testing
@testable import ShmRing

@Suite("Rings in one process")
struct RingTests {
    private static let capacity = 1024
    private static let regionSize = RingLayout.regionSize(capacity: capacity)

    /// Runs `body` with a fresh ring of each kind in a segment unlinked afterwards.
    private func withRing(manyProducers: Bool = false, _ body: (RecordRing) throws -> Void) throws {
        try TestSupport.withSegment("ring", regionSizes: [Self.regionSize]) { segment throws in
            let ring: RecordRing = manyProducers
                ? try ManyToOneRing(segment: segment, region: 0) : try OneToOneRing(segment: segment, region: 0)
            try body(ring)
        }
    }

    @Test("a region that is not a power-of-two capacity plus the trailer is refused")
    func badRegions() throws {
        try TestSupport.withSegment("region", regionSizes: [1000 + RingLayout.trailerLength, 64]) { segment throws in
            for region in [0, 1, 2] {
                #expect {
                    _ = try OneToOneRing(segment: segment, region: region)
                } throws: { error in
                    if case .invalidRegion = error as? RingError { return true }
                    return false
                }
            }
        }
    }

    @Test("reserved types and bad lengths are typed errors; the maximum length is accepted")
    func badArguments() throws {
        try withRing { ring throws in
            #expect(throws: RingError.invalidType(0)) { _ = try ring.write(type: 0, [1]) }
            #expect(throws: RingError.invalidType(RingLayout.paddingType)) { _ = try ring.tryClaim(type: -1, length: 1) }
            let maximum = ring.maxMessageLength
            #expect(throws: RingError.invalidLength(length: maximum + 1, maximum: maximum)) {
                _ = try ring.write(type: 1, [UInt8](repeating: 0, count: maximum + 1))
            }
            #expect(throws: RingError.invalidLength(length: -1, maximum: maximum)) { _ = try ring.tryClaim(type: 1, length: -1) }
            #expect(try ring.write(type: 1, [UInt8](repeating: 7, count: maximum)) == .written)
            #expect(try ring.readAll().map(\.1) == [[UInt8](repeating: 7, count: maximum)])
        }
    }

    @Test("a full ring answers full, and a nil claim, until the consumer frees space")
    func backPressure() throws {
        try withRing { ring throws in
            var written = 0
            while try ring.write(type: 1, [UInt8](repeating: 1, count: 120)) == .written { written += 1 }
            #expect(written == Self.capacity / 128)
            #expect(try ring.claimRefused(type: 1, length: 120))
            #expect(try ring.read(limit: 1) { _, _ in } == 1)
            #expect(try ring.write(type: 1, [UInt8](repeating: 1, count: 120)) == .written)
            #expect(try ring.readAll().count == written)
        }
    }

    @Test("claims: committed ones are read, aborted and dropped ones are skipped", arguments: [false, true])
    func claims(manyProducers: Bool) throws {
        try withRing(manyProducers: manyProducers) { ring throws in
            let committed = try ring.grantedClaim(type: 5, length: 3)
            #expect(committed.length == 3)
            committed.withUnsafeMutableBytes { $0.copyBytes(from: [1, 2, 3]) }
            #expect(try ring.read { _, _ in } == 0)  // not visible before commit
            committed.commit()
            let aborted = try ring.grantedClaim(type: 6, length: 10)
            aborted.abort()
            if let dropped = try ring.tryClaim(type: 7, length: 4) { _ = consume dropped }
            #expect(try ring.write(type: 8, [9]) == .written)
            let messages = try ring.readAll()
            #expect(messages.map(\.0) == [5, 8])
            #expect(messages.map(\.1) == [[1, 2, 3], [9]])
            #expect(ring.occupiedBytes == 0)
        }
    }

    @Test("controlled read: abort keeps the message, break stops, commit frees space at once")
    func controlledRead() throws {
        try withRing { ring throws in
            for value in 1...5 as ClosedRange<UInt8> { #expect(try ring.write(type: 1, [value]) == .written) }
            var seen: [UInt8] = []
            #expect(try ring.controlledRead { _, payload in
                seen.append(payload[0])
                return payload[0] == 3 ? .abort : .continue
            } == 2)
            #expect(try ring.controlledRead { _, payload in
                seen.append(payload[0])
                return .break
            } == 1)
            var positionsAfterCommit: [Int64] = []
            #expect(try ring.controlledRead { _, payload in
                seen.append(payload[0])
                positionsAfterCommit.append(ring.consumerPosition)
                return .commit
            } == 2)
            #expect(seen == [1, 2, 3, 3, 4, 5])
            #expect(positionsAfterCommit == [48, 64])  // the second handler already sees the first commit
            #expect(ring.occupiedBytes == 0)
        }
    }

    @Test("isEmptyAtHead: true exactly while the head's record is unwritten, whatever the head holds")
    func emptyAtHead() throws {
        try withRing { ring throws in
            #expect(ring.isEmptyAtHead)
            let claim = try ring.grantedClaim(type: 1, length: 4)
            #expect(!ring.isEmptyAtHead)  // a claim in progress: a read must wait on it
            claim.commit()
            #expect(!ring.isEmptyAtHead)
            #expect(try ring.readAll().count == 1)
            #expect(ring.isEmptyAtHead)
            // A hostile head (misaligned, far beyond the tail) still loads inside the buffer;
            // the read reports it.
            ring.headPosition.pointee.store(Int64(Self.capacity) * 5 + 3, ordering: .relaxed)
            #expect(ring.isEmptyAtHead)
            ring.headPosition.pointee.store(-1, ordering: .relaxed)
            #expect(ring.isEmptyAtHead)
            #expect(throws: RingError.self) { try ring.read { _, _ in } }
        }
    }

    @Test("correlation ids are unique; the consumer heartbeat is shared")
    func counters() throws {
        try withRing { ring throws in
            #expect((0..<3).map { _ in ring.nextCorrelationId() } == [0, 1, 2])
            ring.consumerHeartbeat = 12345
            #expect(ring.consumerHeartbeat == 12345)
        }
    }

    @Test("a corrupt record length is reported after the good records, and the ring stays poisoned")
    func corruptLength() throws {
        try withRing { ring throws in
            #expect(try ring.write(type: 1, [1]) == .written)
            #expect(try ring.write(type: 1, [2]) == .written)
            ring.lengthWord(16).pointee.store(4096, ordering: .relaxed)
            var seen: [UInt8] = []
            let corruption = RingError.corrupt(RingCorruption(.recordLength, at: 16, value: 4096))
            #expect(throws: corruption) { try ring.read { _, payload in seen.append(payload[0]) } }
            #expect(seen == [1])
            #expect(ring.consumerPosition == 16)
            #expect(throws: corruption) { try ring.read { _, _ in } }
            #expect(throws: corruption) { _ = try ring.write(type: 1, [3]) }
        }
    }

    @Test("corrupt types, impossible claims and a misaligned head are reported", arguments: [0, 1, 2])
    func otherCorruption(kind: Int) throws {
        try withRing { ring throws in
            #expect(try ring.write(type: 1, [1]) == .written)
            let expected: RingCorruption
            switch kind {
            case 0:
                ring.buffer.storeBytes(of: Int32(0), toByteOffset: 4, as: Int32.self)
                expected = RingCorruption(.recordType, at: 0, value: 0)
            case 1:
                ring.lengthWord(0).pointee.store(-4, ordering: .relaxed)
                expected = RingCorruption(.recordLength, at: 0, value: -4)
            default:
                ring.headPosition.pointee.store(3, ordering: .relaxed)
                expected = RingCorruption(.head, at: 3, value: 3)
            }
            #expect(throws: RingError.corrupt(expected)) { try ring.read { _, _ in } }
        }
    }

    @Test("unblock skips a claim whose producer died after marking it")
    func unblockMarkedClaim() throws {
        try TestSupport.withSegment("unblock", regionSizes: [Self.regionSize]) { segment throws in
            let ring = try ManyToOneRing(segment: segment, region: 0)
            #expect(try ring.unblock() == false)
            // A producer that claimed and marked its record, then died.
            let index = try #require(try ring.claimCapacity(24))
            ring.markClaimed(at: index, recordLength: 20)
            #expect(try ring.write(type: 2, [4, 5]) == .written)
            #expect(try ring.readAll().isEmpty)
            #expect(try ring.unblock())
            #expect(try ring.readAll().map(\.1) == [[4, 5]])
            #expect(ring.occupiedBytes == 0)
        }
    }

    @Test("unblock skips a claim whose producer died before writing its length")
    func unblockZeroClaim() throws {
        try TestSupport.withSegment("unblock", regionSizes: [Self.regionSize]) { segment throws in
            let ring = try ManyToOneRing(segment: segment, region: 0)
            _ = try #require(try ring.claimCapacity(40))
            #expect(try ring.unblock() == false)  // nothing after it yet: its size is unknown
            #expect(try ring.write(type: 2, [6]) == .written)
            #expect(try ring.readAll().isEmpty)
            #expect(try ring.unblock())
            #expect(try ring.readAll().map(\.1) == [[6]])
        }
    }

    @Test("unblockIfStalled acts only after the timeout without progress")
    func unblockAfterTimeout() throws {
        try TestSupport.withSegment("stall", regionSizes: [Self.regionSize]) { segment throws in
            let ring = try ManyToOneRing(segment: segment, region: 0)
            let index = try #require(try ring.claimCapacity(16))
            ring.markClaimed(at: index, recordLength: 16)
            #expect(try ring.write(type: 3, [7]) == .written)
            #expect(try ring.unblockIfStalled(after: .milliseconds(20)) == false)  // starts the clock
            var pause = timespec(tv_sec: 0, tv_nsec: 40_000_000)
            nanosleep(&pause, nil)
            #expect(try ring.unblockIfStalled(after: .milliseconds(20)))
            #expect(try ring.readAll().map(\.1) == [[7]])
        }
    }

    @Test(
        "steady-state write, claim and read allocate nothing",
        .enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"),
        arguments: [false, true])
    func noAllocations(manyProducers: Bool) throws {
        try withRing(manyProducers: manyProducers) { ring throws in
            let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
            defer { payload.deallocate() }
            payload.initializeMemory(as: UInt8.self, repeating: 9)
            var sum = 0
            let round = {
                _ = try ring.write(type: 1, bytes: UnsafeRawBufferPointer(payload))
                if let claim = try ring.tryClaim(type: 2, length: 16) {
                    claim.withUnsafeMutableBytes { $0.storeBytes(of: 1, as: UInt64.self) }
                    claim.commit()
                }
                try ring.read { type, bytes in sum &+= Int(type) &+ bytes.count }
            }
            // The warm-up run takes the first-use allocations (lazy metadata): not steady state.
            let measured = try AllocationMeasurement(runs: 10_000, round)
            #expect(measured.total.mallocs == 0)
            #expect(sum == 10_001 * 51)
        }
    }
}
