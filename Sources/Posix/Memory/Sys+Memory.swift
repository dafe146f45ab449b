import Glibc

extension SystemCall {
    /// The `shm_open` call, by the name its failures carry.
    public static let shmOpen = SystemCall("shm_open")
    /// The `shm_unlink` call, by the name its failures carry.
    public static let shmUnlink = SystemCall("shm_unlink")
    /// The `mmap` call, by the name its failures carry.
    public static let mmap = SystemCall("mmap")
    /// The `munmap` call, by the name its failures carry.
    public static let munmap = SystemCall("munmap")
    /// The `madvise` call, by the name its failures carry.
    public static let madvise = SystemCall("madvise")
}

extension Sys {
    /// `shm_open(3)`; `O_CLOEXEC` is implied by the call.
    public static func shmOpen(_ name: String, _ flags: Int32, _ mode: mode_t = 0) throws(SystemCallError) -> Int32 {
        try SystemCall.shmOpen.run { Glibc.shm_open(name, flags, mode) }
    }

    /// `shm_unlink(3)`.
    public static func shmUnlink(_ name: String) throws(SystemCallError) {
        _ = try SystemCall.shmUnlink.run { Glibc.shm_unlink(name) }
    }

    /// `mmap(2)` of `length` bytes of `descriptor` from `offset` (nil address: the kernel picks).
    public static func mmap(
        length: Int, protection: Int32, flags: Int32, descriptor: Int32, offset: Int = 0
    ) throws(SystemCallError) -> UnsafeMutableRawPointer {
        try SystemCall.mmap.runReturningPointer(failure: MAP_FAILED) {
            Glibc.mmap(nil, length, protection, flags, descriptor, off_t(offset))
        }
    }

    /// `munmap(2)`.
    public static func munmap(_ address: UnsafeMutableRawPointer, length: Int) throws(SystemCallError) {
        _ = try SystemCall.munmap.run { Glibc.munmap(address, length) }
    }

    /// `madvise(2)` (`MADV_HUGEPAGE`, `MADV_DONTNEED`, ...).
    public static func madvise(_ address: UnsafeMutableRawPointer, length: Int, advice: Int32) throws(SystemCallError) {
        _ = try SystemCall.madvise.run { Glibc.madvise(address, length, advice) }
    }
}
