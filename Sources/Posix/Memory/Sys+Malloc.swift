import CRingside
import Glibc

extension Sys {
    /// Has every thread that allocates for the first time after this call allocate from
    /// glibc's main arena (`mallopt(M_ARENA_MAX, 1)`); false when glibc refused the setting.
    /// Process-wide, and it does not move a thread that already has an arena of its own.
    ///
    /// Why a server wants it: a thread given an arena of its own (every thread but the first,
    /// while there are fewer arenas than eight times the cores) grows that arena's heap by an
    /// `mprotect` per growth, only as far as the allocation needs (glibc 2.36 `grow_heap`:
    /// no `M_TOP_PAD` there), so a structure that grows a little at a time pays a system call
    /// every page or so. The main arena grows by `brk` with 128 KiB of padding: a call per
    /// 128 KiB. The price is one arena lock shared by all threads, uncontended while one
    /// thread does nearly all the allocating.
    @discardableResult
    public static func shareMainMallocArena() -> Bool {
        mallopt(M_ARENA_MAX, 1) == 1
    }
}
