import Glibc
import Posix
import Testing
@testable import ShmRing

/// The paths where a system call under a segment fails, made to fail through the Posix seam
/// (armed on the test's own thread only, so other tests' segments are untouched).
@Suite("Segments when a system call fails", .serialized)
struct SegmentFailureTests {
    /// Runs `body` with `call` armed to fail once with `errno` on this thread; disarms after.
    private func failing(_ call: SystemCall, with errno: Errno, _ body: () throws -> Void) rethrows {
        FailureInjection.arm(call, with: errno, onThisThreadOnly: true)
        defer { FailureInjection.disarm(call) }
        try body()
    }

    /// Expects that `name` does not exist (a failed create left nothing behind).
    private func expectAbsent(_ name: String) {
        #expect(throws: SegmentError(.open, name: name, .system(errno: .noSuchFile))) {
            _ = try SharedMemorySegment.open(name: name)
        }
    }

    @Test(
        "a step of create failing (fchmod, ftruncate, mmap) is reported typed, and no segment is left behind",
        arguments: [
            (SystemCall.fchmod, SegmentError.Operation.chmod, Errno.permissionDenied),
            (.ftruncate, .truncate, .noSpace),
            (.mmap, .map, .noMemory),
        ])
    func createStepFails(call: SystemCall, operation: SegmentError.Operation, errno: Errno) {
        let name = TestSupport.uniqueName("create-fails")
        defer { try? SharedMemorySegment.unlink(name: name) }
        failing(call, with: errno) {
            #expect(throws: SegmentError(operation, name: name, .system(errno: errno))) {
                _ = try SharedMemorySegment.create(name: name, regionSizes: [4096])
            }
        }
        expectAbsent(name)
    }

    @Test("mmap failing: open reports it, and the segment opens once the failure is gone")
    func mapFailsOnOpen() throws {
        try TestSupport.withSegment("open-no-map", regionSizes: [4096]) { segment throws in
            failing(.mmap, with: .noMemory) {
                #expect(throws: SegmentError(.map, name: segment.name, .system(errno: .noMemory))) {
                    _ = try SharedMemorySegment.open(name: segment.name)
                }
            }
            #expect(try SharedMemorySegment.open(name: segment.name).regions == segment.regions)
        }
    }

    @Test("shm_open failing in create, and fstat failing in open, are reported with their step and errno")
    func openSteps() throws {
        let name = TestSupport.uniqueName("steps")
        defer { try? SharedMemorySegment.unlink(name: name) }
        failing(.shmOpen, with: Errno(rawValue: EMFILE)) {
            #expect(throws: SegmentError(.create, name: name, .system(errno: Errno(rawValue: EMFILE)))) {
                _ = try SharedMemorySegment.create(name: name, regionSizes: [64])
            }
        }
        let segment = try SharedMemorySegment.create(name: name, regionSizes: [64])
        failing(.fstat, with: .ioError) {
            #expect(throws: SegmentError(.stat, name: name, .system(errno: .ioError))) {
                _ = try SharedMemorySegment.open(name: segment.name)
            }
        }
    }

    @Test("flock failing while reclaiming is reported, and the stale check can run again")
    func lockFails() throws {
        try TestSupport.withSegment("no-lock", regionSizes: [64]) { segment throws in
            failing(.flock, with: Errno(rawValue: ENOLCK)) {
                #expect(throws: SegmentError(.lock, name: segment.name, .system(errno: Errno(rawValue: ENOLCK)))) {
                    _ = try SharedMemorySegment.reclaimIfStale(name: segment.name)
                }
            }
            #expect(try SharedMemorySegment.reclaimIfStale(name: segment.name) == false)
        }
    }
}
