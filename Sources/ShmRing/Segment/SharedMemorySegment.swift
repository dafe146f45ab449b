import Glibc
import Posix

/// The sole owner of one POSIX shared-memory segment mapped into this process
/// (`shm_open` + `ftruncate` + `mmap`), in the spirit of swift-system's `IORing`: it cannot
/// be copied, and when it goes away it closes its descriptor and drops its mapping.
///
/// A segment starts with a header (<doc:SegmentAndRingLayout>: magic, layout version, sizes, owner
/// pid and start time) followed by page-aligned regions, each holding one ring (or anything
/// else). Rings carved from a region keep the mapping alive after the segment is gone, so no
/// pointer into it can dangle; the mapping is unmapped when its last user is released.
///
/// ```swift
/// let size = RingLayout.regionSize(capacity: 1 << 20)
/// let segment = try SharedMemorySegment.create(name: "/demo", regionSizes: [size, size])
/// let requests = try OneToOneRing(segment: segment, region: 0)
/// ```
public struct SharedMemorySegment: ~Copyable {
    /// The segment name (`/name`; the file is `/dev/shm/name`).
    public let name: String
    /// Total size in bytes, header included.
    public let size: Int
    /// The process that created the segment, as recorded in its header.
    public let owner: ProcessIdentity
    /// Where each region lies, as validated from the header.
    public let regions: [SegmentRegion]
    @usableFromInline let mapping: SegmentMapping
    private let descriptor: Int32

    init(name: String, header: SegmentHeader, mapping: SegmentMapping, descriptor: Int32) {
        self.name = name
        self.size = header.totalSize
        self.owner = header.owner
        self.regions = header.regions
        self.mapping = mapping
        self.descriptor = descriptor
    }

    deinit {
        try? Sys.close(descriptor)
    }

    /// Creates a new segment holding one region per entry of `regionSizes` (in bytes; each
    /// region starts on a page boundary), owned by this process.
    ///
    /// Creation is exclusive (`O_EXCL`). When the name is taken by a stale segment, one whose
    /// owner process is gone, that segment is reclaimed (unlinked) and creation retried; a
    /// segment whose owner is alive is never clobbered (``SegmentError/Reason/ownerAlive(pid:)``).
    /// `permissions` are applied exactly, whatever the umask (default `0600`).
    public static func create(name: String, regionSizes: [Int], permissions: mode_t = 0o600) throws(SegmentError) -> SharedMemorySegment {
        try validate(name: name)
        guard permissions & ~0o777 == 0 else {
            throw SegmentError(.validateLayout, name: name, .invalidLayout("permissions 0o\(String(permissions, radix: 8)) beyond 0o777"))
        }
        let owner = try system(.identify, name: name) { () throws(SystemCallError) in try ProcessIdentity.readCurrent() }
        let header = try SegmentHeader.layout(regionSizes: regionSizes, owner: owner, name: name)
        for _ in 0..<3 {
            let descriptor: Int32
            do throws(SystemCallError) {
                descriptor = try Sys.shmOpen(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            } catch {
                guard error.errno == .fileExists else { throw SegmentError.system(.create, name: name, error) }
                if case .ownerAlive(let pid) = try reclaim(name: name) {
                    throw SegmentError(.create, name: name, .ownerAlive(pid: pid))
                }
                continue
            }
            return try initialise(descriptor: descriptor, name: name, header: header, permissions: permissions)
        }
        throw SegmentError(.create, name: name, .system(errno: .fileExists))
    }

    /// Opens an existing segment, validating its header before trusting anything in it:
    /// magic, layout version, header length, total size against `fstat`, the region table,
    /// and that the owner process (pid and start time) is still alive.
    public static func open(name: String) throws(SegmentError) -> SharedMemorySegment {
        try validate(name: name)
        let descriptor = try system(.open, name: name) { () throws(SystemCallError) in try Sys.shmOpen(name, O_RDWR | O_CLOEXEC) }
        do throws(SegmentError) {
            let header = try readHeader(descriptor: descriptor, name: name)
            guard header.owner.isAlive else {
                throw SegmentError(.validateHeader, name: name, .ownerGone(pid: header.owner.pid))
            }
            let mapping = try SegmentMapping(descriptor: descriptor, size: header.totalSize, name: name)
            return SharedMemorySegment(name: name, header: header, mapping: mapping, descriptor: descriptor)
        } catch {
            try? Sys.close(descriptor)
            throw error
        }
    }

    /// Removes the segment's name; processes that have it mapped keep their mappings.
    public static func unlink(name: String) throws(SegmentError) {
        try validate(name: name)
        try system(.unlink, name: name) { () throws(SystemCallError) in try Sys.shmUnlink(name) }
    }

    /// The bytes of region `index`, or nil when there is no such region. The pointer is valid
    /// while this segment (or a ring carved from it) lives; prefer the rings for shared data.
    public func unsafeRegionBytes(_ index: Int) -> UnsafeMutableRawBufferPointer? {
        guard let (_, start, length) = region(index) else { return nil }
        return UnsafeMutableRawBufferPointer(start: start, count: length)
    }

    /// The mapping, start and length of region `index`, or nil when there is no such region.
    func region(_ index: Int) -> (mapping: SegmentMapping, start: UnsafeMutableRawPointer, length: Int)? {
        guard regions.indices.contains(index) else { return nil }
        let region = regions[index]
        return (mapping, mapping.base + region.offset, region.length)
    }

    /// Sizes, maps and writes the header of a freshly created segment; on any failure the
    /// half-made segment is unlinked again.
    private static func initialise(descriptor: Int32, name: String, header: SegmentHeader, permissions: mode_t) throws(SegmentError) -> SharedMemorySegment {
        do throws(SegmentError) {
            try system(.chmod, name: name) { () throws(SystemCallError) in try Sys.fchmod(descriptor, permissions) }
            try system(.truncate, name: name) { () throws(SystemCallError) in try Sys.ftruncate(descriptor, header.totalSize) }
            let mapping = try SegmentMapping(descriptor: descriptor, size: header.totalSize, name: name)
            header.write(to: mapping.base)
            return SharedMemorySegment(name: name, header: header, mapping: mapping, descriptor: descriptor)
        } catch {
            try? Sys.shmUnlink(name)
            try? Sys.close(descriptor)
            throw error
        }
    }

    /// Reads and validates the header through a one-page mapping, so that a hostile file size
    /// is rejected before the whole segment is mapped.
    static func readHeader(descriptor: Int32, name: String) throws(SegmentError) -> SegmentHeader {
        let status = try system(.stat, name: name) { () throws(SystemCallError) in try Sys.fstat(descriptor) }
        let fileSize = Int(status.st_size)
        guard fileSize >= SegmentHeader.length else {
            throw SegmentError(.validateHeader, name: name, .tooSmall(size: fileSize))
        }
        let page = try SegmentMapping(descriptor: descriptor, size: SegmentHeader.length, name: name)
        return try SegmentHeader.read(from: page.base, fileSize: fileSize, name: name)
    }

    /// Runs the system call `body`, its failure thrown as the ``SegmentError`` of `operation`.
    static func system<Result>(
        _ operation: SegmentError.Operation, name: String, _ body: () throws(SystemCallError) -> Result
    ) throws(SegmentError) -> Result {
        do throws(SystemCallError) {
            return try body()
        } catch {
            throw SegmentError.system(operation, name: name, error)
        }
    }
}
