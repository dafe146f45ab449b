import Glibc
import Posix

/// One `mmap` of a segment. Rings and claims carved from a segment keep their mapping alive,
/// so a pointer into it can never outlive the memory: the last owner unmaps it.
@usableFromInline
final class SegmentMapping: @unchecked Sendable {
    /// First byte of the mapping (page-aligned).
    @usableFromInline let base: UnsafeMutableRawPointer
    /// Bytes mapped.
    @usableFromInline let size: Int

    /// Maps `size` bytes of `descriptor` shared, read-write, with the pages populated up front
    /// (the hot path then never takes a page fault).
    init(descriptor: Int32, size: Int, name: String) throws(SegmentError) {
        base = try SharedMemorySegment.system(.map, name: name) { () throws(SystemCallError) in
            try Sys.mmap(length: size, protection: PROT_READ | PROT_WRITE, flags: MAP_SHARED | MAP_POPULATE, descriptor: descriptor)
        }
        self.size = size
    }

    deinit {
        try? Sys.munmap(base, length: size)
    }
}
