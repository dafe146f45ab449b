import Glibc
import Posix

extension SharedMemorySegment {
    /// What ``reclaim(name:)`` found.
    enum ReclaimOutcome: Equatable {
        /// The segment's owner was gone and the name has been unlinked.
        case removed
        /// The name no longer existed, or now names another segment: nothing was done.
        case vanished
        /// The owner is alive; the segment was left alone.
        case ownerAlive(pid: Int32)
    }

    /// Unlinks the segment called `name` when its owner process is gone (dead, or its pid
    /// reused by another process); returns whether it did. A segment with a live owner is
    /// left alone, and one whose header does not validate is reported, never removed (its
    /// owner cannot be known).
    public static func reclaimIfStale(name: String) throws(SegmentError) -> Bool {
        try validate(name: name)
        return try reclaim(name: name) == .removed
    }

    /// Reclaims under an exclusive `flock` of the existing file, after checking that the
    /// name still refers to that very file, so that two processes reclaiming at once cannot
    /// remove each other's fresh segment.
    static func reclaim(name: String) throws(SegmentError) -> ReclaimOutcome {
        guard let descriptor = try openIfPresent(name, O_RDWR | O_CLOEXEC) else { return .vanished }
        defer { try? Sys.close(descriptor) }
        try system(.lock, name: name) { () throws(SystemCallError) in try Sys.flock(descriptor, LOCK_EX) }
        guard try stillNamed(name, descriptor: descriptor) else { return .vanished }
        let header = try readHeader(descriptor: descriptor, name: name)
        if header.owner.isAlive { return .ownerAlive(pid: header.owner.pid) }
        do throws(SystemCallError) {
            try Sys.shmUnlink(name)
        } catch where error.errno == .noSuchFile {
            // Another process reclaimed it meanwhile: removed all the same.
        } catch {
            throw SegmentError.system(.unlink, name: name, error)
        }
        return .removed
    }

    /// Whether `name` still refers to the file open as `descriptor` (same device and inode).
    private static func stillNamed(_ name: String, descriptor: Int32) throws(SegmentError) -> Bool {
        guard let current = try openIfPresent(name, O_RDONLY | O_CLOEXEC) else { return false }
        defer { try? Sys.close(current) }
        let (held, named) = try system(.stat, name: name) { () throws(SystemCallError) in
            (try Sys.fstat(descriptor), try Sys.fstat(current))
        }
        return held.st_dev == named.st_dev && held.st_ino == named.st_ino
    }

    /// `shm_open` of an existing segment: its descriptor, or nil when the name does not exist.
    private static func openIfPresent(_ name: String, _ flags: Int32) throws(SegmentError) -> Int32? {
        do throws(SystemCallError) {
            return try Sys.shmOpen(name, flags)
        } catch where error.errno == .noSuchFile {
            return nil
        } catch {
            throw SegmentError.system(.open, name: name, error)
        }
    }
}
