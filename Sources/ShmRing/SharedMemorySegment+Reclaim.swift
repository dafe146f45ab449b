import Glibc

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
        let descriptor = shm_open(name, O_RDWR | O_CLOEXEC, 0)
        guard descriptor >= 0 else {
            if errno == ENOENT { return .vanished }
            throw SegmentError.system(.open, name: name)
        }
        defer { _ = close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SegmentError.system(.lock, name: name) }
        }
        guard try stillNamed(name, descriptor: descriptor) else { return .vanished }
        let header = try readHeader(descriptor: descriptor, name: name)
        if header.owner.isAlive { return .ownerAlive(pid: header.owner.pid) }
        guard shm_unlink(name) == 0 || errno == ENOENT else { throw SegmentError.system(.unlink, name: name) }
        return .removed
    }

    /// Whether `name` still refers to the file open as `descriptor` (same device and inode).
    private static func stillNamed(_ name: String, descriptor: Int32) throws(SegmentError) -> Bool {
        let current = shm_open(name, O_RDONLY | O_CLOEXEC, 0)
        guard current >= 0 else {
            if errno == ENOENT { return false }
            throw SegmentError.system(.open, name: name)
        }
        defer { _ = close(current) }
        var held = stat(), named = stat()
        guard fstat(descriptor, &held) == 0, fstat(current, &named) == 0 else {
            throw SegmentError.system(.stat, name: name)
        }
        return held.st_dev == named.st_dev && held.st_ino == named.st_ino
    }
}
