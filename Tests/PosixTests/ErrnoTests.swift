import Glibc
import Posix
import Testing

@Suite("Errno")
struct ErrnoTests {
    @Test("an errno has its symbolic name and the C library's text")
    func namesAndMessages() {
        let missing = Errno(rawValue: ENOENT)
        #expect(missing == .noSuchFile)
        #expect(missing.name == "ENOENT")
        #expect(missing.message == "No such file or directory")
        #expect(missing.description == "ENOENT (No such file or directory)")
        #expect(Errno.wouldBlock.name == "EAGAIN")
        #expect(Errno.noSpace.description == "ENOSPC (No space left on device)")
        #expect(Errno(rawValue: 9999).name == "errno 9999")
    }

    @Test("a failed call's error names the call and its errno")
    func systemCallError() {
        #expect(SystemCallError(.ftruncate, .noSpace).description == "ftruncate: ENOSPC (No space left on device)")
        #expect(throws: SystemCallError(.open, .noSuchFile)) {
            _ = try Sys.open("/nonexistent/ringside-posix-test", O_RDONLY)
        }
    }

    @Test("a wait status decodes to an exit status or a signal; a stop is not an end")
    func waitStatus() {
        #expect(ProcessTermination(waitStatus: 3 << 8) == .exited(3))
        #expect(ProcessTermination(waitStatus: SIGKILL) == .signalled(SIGKILL))
        #expect(ProcessTermination(waitStatus: SIGSTOP << 8 | 0x7f) == nil)
        #expect(ProcessTermination(waitStatus: 0xffff) == nil)
        #expect(ProcessTermination.signalled(9).description == "signal 9")
    }
}
