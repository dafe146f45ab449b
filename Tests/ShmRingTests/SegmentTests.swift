import Glibc
import Harness
import Posix
import Testing
@testable import ShmRing

@Suite("Shared-memory segments")
struct SegmentTests {
    @Test("create then open: same regions, same owner, shared bytes")
    func roundTrip() throws {
        try TestSupport.withSegment("round", regionSizes: [100, 5000]) { segment throws in
            #expect(segment.regions == [SegmentRegion(offset: 4096, length: 100), SegmentRegion(offset: 8192, length: 5000)])
            #expect(segment.size == 4096 + 4096 + 8192)
            #expect(segment.owner == ProcessIdentity.current())
            let other = try SharedMemorySegment.open(name: segment.name)
            #expect(other.regions == segment.regions)
            #expect(other.owner == segment.owner)
            segment.unsafeRegionBytes(1)!.storeBytes(of: 0xABCD, toByteOffset: 4992, as: UInt64.self)
            #expect(other.unsafeRegionBytes(1)!.load(fromByteOffset: 4992, as: UInt64.self) == 0xABCD)
            #expect(other.unsafeRegionBytes(2) == nil)
        }
    }

    @Test("names: one leading slash and no other, 2 to 255 bytes", arguments: [
        "", "ringside", "/", "/a/b", "/.", "/..", "/a\u{0}b", "/" + String(repeating: "x", count: 255),
    ])
    func badNames(name: String) {
        #expect {
            _ = try SharedMemorySegment.create(name: name, regionSizes: [64])
        } throws: { error in
            (error as? SegmentError)?.operation == .validateName
        }
    }

    @Test("a name of exactly 255 bytes is accepted")
    func longestName() throws {
        let prefix = TestSupport.uniqueName("long")
        let name = prefix + String(repeating: "x", count: 255 - prefix.utf8.count)
        let segment = try SharedMemorySegment.create(name: name, regionSizes: [64])
        defer { try? SharedMemorySegment.unlink(name: segment.name) }
        #expect(segment.name.utf8.count == 255)
    }

    @Test("bad layouts are typed errors", arguments: [[], [0], [-1], Array(repeating: 64, count: 33)])
    func badLayouts(sizes: [Int]) {
        #expect {
            _ = try SharedMemorySegment.create(name: TestSupport.uniqueName("layout"), regionSizes: sizes)
        } throws: { error in
            (error as? SegmentError)?.operation == .validateLayout
        }
    }

    @Test("permissions are exactly as asked, 0600 by default, whatever the umask")
    func permissions() throws {
        try TestSupport.withSegment("mode", regionSizes: [64]) { segment throws in
            #expect(try mode(of: segment.name) == 0o600)
        }
        let name = TestSupport.uniqueName("mode")
        let old = umask(0o077)
        defer { umask(old) }
        let shared = try SharedMemorySegment.create(name: name, regionSizes: [64], permissions: 0o660)
        defer { try? SharedMemorySegment.unlink(name: shared.name) }
        #expect(try mode(of: name) == 0o660)
    }

    @Test("open of a missing segment reports shm_open and ENOENT")
    func missing() {
        let name = TestSupport.uniqueName("missing")
        #expect(throws: SegmentError(.open, name: name, .system(errno: .noSuchFile))) {
            _ = try SharedMemorySegment.open(name: name)
        }
    }

    @Test("wrong magic is rejected")
    func wrongMagic() throws {
        try expectOpenFails(reason: .badMagic(found: 0x1234)) { base, _ in
            base.storeBytes(of: UInt64(0x1234), toByteOffset: SegmentHeader.magicOffset, as: UInt64.self)
        }
    }

    @Test("wrong layout version is rejected")
    func wrongVersion() throws {
        try expectOpenFails(reason: .unsupportedVersion(found: 99, expected: SegmentHeader.version)) { base, _ in
            base.storeBytes(of: UInt32(99), toByteOffset: SegmentHeader.versionOffset, as: UInt32.self)
        }
    }

    @Test("a size that disagrees with fstat is rejected")
    func wrongSize() throws {
        try expectOpenFails(reason: .sizeMismatch(header: 8192, file: 12288)) { _, descriptor in
            _ = ftruncate(descriptor, 12288)
        }
    }

    @Test("a file smaller than a header is rejected")
    func tooSmall() throws {
        try expectOpenFails(reason: .tooSmall(size: 100)) { _, descriptor in
            _ = ftruncate(descriptor, 100)
        }
    }

    @Test("a region reaching past the end is rejected")
    func regionPastEnd() throws {
        try expectOpenFails(reason: .badRegions("region 0 of 8192 bytes at offset 4096 exceeds the segment of 8192")) { base, _ in
            base.storeBytes(of: UInt64(8192), toByteOffset: SegmentHeader.regionTableOffset + 8, as: UInt64.self)
        }
    }

    @Test("a region starting past the end is rejected")
    func regionOffsetPastEnd() throws {
        try expectOpenFails(reason: .badRegions("region 0 of 4096 bytes at offset 1048576 exceeds the segment of 8192")) { base, _ in
            base.storeBytes(of: UInt64(1 << 20), toByteOffset: SegmentHeader.regionTableOffset, as: UInt64.self)
        }
    }

    @Test("a zero region count is rejected")
    func noRegions() throws {
        try expectOpenFails(reason: .badRegions("count 0")) { base, _ in
            base.storeBytes(of: UInt32(0), toByteOffset: SegmentHeader.regionCountOffset, as: UInt32.self)
        }
    }

    @Test("a recorded owner whose pid now has another start time is gone")
    func reusedPid() throws {
        try expectOpenFails(reason: .ownerGone(pid: getpid())) { base, _ in
            let start = base.load(fromByteOffset: SegmentHeader.ownerStartOffset, as: UInt64.self)
            base.storeBytes(of: start &+ 1, toByteOffset: SegmentHeader.ownerStartOffset, as: UInt64.self)
        }
    }

    @Test("a live owner's segment is never clobbered")
    func liveOwner() throws {
        try TestSupport.withSegment("live", regionSizes: [64]) { segment throws in
            #expect(try SharedMemorySegment.reclaimIfStale(name: segment.name) == false)
            #expect(throws: SegmentError(.create, name: segment.name, .ownerAlive(pid: getpid()))) {
                _ = try SharedMemorySegment.create(name: segment.name, regionSizes: [64])
            }
            #expect(try SharedMemorySegment.open(name: segment.name).owner == segment.owner)
        }
    }

    @Test("a dead owner's segment is reported by open, reclaimed, and its name reused")
    func deadOwner() throws {
        let name = TestSupport.uniqueName("dead")
        defer { try? SharedMemorySegment.unlink(name: name) }
        let creator = try RingPeer.spawn(["create-and-exit", name, "4096"])
        #expect(creator.wait() == .exited(0))
        #expect {
            _ = try SharedMemorySegment.open(name: name)
        } throws: { error in
            guard case .ownerGone(let pid)? = (error as? SegmentError)?.reason else { return false }
            return pid == creator.pid
        }
        #expect(try SharedMemorySegment.reclaimIfStale(name: name))
        #expect(throws: SegmentError(.open, name: name, .system(errno: .noSuchFile))) {
            _ = try SharedMemorySegment.open(name: name)
        }
        // create() reclaims a stale segment on its own, too.
        let again = try RingPeer.spawn(["create-and-exit", name, "4096"])
        #expect(again.wait() == .exited(0))
        let mine = try SharedMemorySegment.create(name: name, regionSizes: [64])
        #expect(mine.owner == ProcessIdentity.current())
    }

    @Test("a segment whose header does not validate is reported, not reclaimed")
    func invalidNotReclaimed() throws {
        try TestSupport.withSegment("garbage", regionSizes: [64]) { segment throws in
            TestSupport.tamper(segment.name) { base, _ in
                base.storeBytes(of: UInt64(0), toByteOffset: SegmentHeader.magicOffset, as: UInt64.self)
            }
            #expect(throws: SegmentError(.validateHeader, name: segment.name, .badMagic(found: 0))) {
                _ = try SharedMemorySegment.reclaimIfStale(name: segment.name)
            }
        }
    }

    @Test("errors describe the operation, the segment and errno")
    func descriptions() {
        let error = SegmentError(.open, name: "/x", .system(errno: .noSuchFile))
        #expect(error.errno == .noSuchFile)
        #expect(error.description == "segment '/x': shm_open: No such file or directory (errno 2)")
    }

    /// Creates a segment, tampers with its header, and expects `open` to fail with `reason`.
    private func expectOpenFails(reason: SegmentError.Reason, _ damage: (UnsafeMutableRawPointer, Int32) -> Void) throws {
        try TestSupport.withSegment("bad", regionSizes: [4096]) { segment throws in
            TestSupport.tamper(segment.name, damage)
            #expect(throws: SegmentError(.validateHeader, name: segment.name, reason)) {
                _ = try SharedMemorySegment.open(name: segment.name)
            }
        }
    }

    private func mode(of name: String) throws -> mode_t {
        var status = stat()
        guard stat("/dev/shm" + name, &status) == 0 else { throw SegmentError(.stat, name: name, .system(errno: .current)) }
        return status.st_mode & 0o777
    }
}

@Suite("Process identity")
struct ProcessIdentityTests {
    @Test("the current process is alive; a reaped child is not")
    func liveness() throws {
        let me = try #require(ProcessIdentity.current())
        #expect(me.pid == getpid())
        #expect(me.isAlive)
        #expect(!ProcessIdentity(pid: me.pid, startTime: me.startTime &+ 1).isAlive)
        let child = try RingPeer.spawn(["no-such-role"])
        #expect(child.wait() == .exited(2))
        #expect(ProcessIdentity.of(pid: child.pid) == nil)
    }

    @Test("a command name with spaces and parentheses parses")
    func parsesAwkwardNames() {
        let line = "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10"
        let identity = ProcessIdentity.parse(stat: Array(line.utf8), pid: 42)
        #expect(identity == ProcessIdentity(pid: 42, startTime: 987654))
        let zombie = "42 (a) b (c) Z 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10"
        #expect(ProcessIdentity.parse(stat: Array(zombie.utf8), pid: 42) == nil)
        #expect(ProcessIdentity.parse(stat: Array("garbage".utf8), pid: 42) == nil)
    }
}
