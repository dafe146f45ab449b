import Glibc
import Synchronization
import Testing
@testable import ShmRing

/// Names, scopes and data shared by the ShmRing tests.
enum TestSupport {
    private static let counter = Atomic<Int>(0)

    /// A segment name no other test (or test run) uses: pid and a counter.
    static func uniqueName(_ label: String) -> String {
        "/ringside-test-\(getpid())-\(label)-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
    }

    /// Creates a segment with `regionSizes`, runs `body`, and unlinks the segment whatever
    /// happens.
    static func withSegment<Result>(
        _ label: String, regionSizes: [Int],
        _ body: (borrowing SharedMemorySegment) throws -> Result
    ) throws -> Result {
        let segment = try SharedMemorySegment.create(name: uniqueName(label), regionSizes: regionSizes)
        defer { try? SharedMemorySegment.unlink(name: segment.name) }
        return try body(segment)
    }

    /// Maps an existing segment's file raw (no validation) to tamper with it.
    static func tamper(_ name: String, _ body: (UnsafeMutableRawPointer, Int32) -> Void) {
        let descriptor = shm_open(name, O_RDWR, 0)
        precondition(descriptor >= 0, "test segment \(name) must exist")
        defer { close(descriptor) }
        let base = mmap(nil, SegmentHeader.length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)!
        defer { munmap(base, SegmentHeader.length) }
        body(base, descriptor)
    }
}

extension RecordRing {
    /// Writes `bytes` (test convenience over the raw-buffer API).
    func write(type: Int32, _ bytes: [UInt8]) throws -> RingWriteResult {
        try bytes.withUnsafeBytes { try write(type: type, bytes: $0) }
    }

    /// A claim that must be granted.
    func grantedClaim(type: Int32, length: Int) throws -> RingClaim {
        guard let claim = try tryClaim(type: type, length: length) else { throw TestFailure("claim refused") }
        return claim
    }

    /// Whether a claim is refused (a claim that is granted is aborted).
    func claimRefused(type: Int32, length: Int) throws -> Bool {
        guard let claim = try tryClaim(type: type, length: length) else { return true }
        claim.abort()
        return false
    }

    /// Reads every available message as (type, bytes), across the end of the buffer.
    func readAll() throws(RingError) -> [(Int32, [UInt8])] {
        var messages: [(Int32, [UInt8])] = []
        var position: Int64
        repeat {
            position = consumerPosition
            try read { type, payload in messages.append((type, Array(payload))) }
        } while consumerPosition != position
        return messages
    }
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
