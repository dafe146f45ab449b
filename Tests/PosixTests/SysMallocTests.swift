import Posix
import Testing

@Suite("Malloc arenas")
struct SysMallocTests {
    /// Process-wide, but harmless to the other tests: it only changes which arena threads
    /// that allocate for the first time afterwards take.
    @Test("glibc takes the one-arena setting")
    func shareMainArena() {
        #expect(Sys.shareMainMallocArena())
    }
}
