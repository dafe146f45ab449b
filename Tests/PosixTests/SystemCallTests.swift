import Dispatch
import Glibc
import Posix
import Testing

@Suite("System calls")
struct SystemCallTests {
    /// A call no other test makes, so arming it process-wide disturbs nobody.
    static let probe = SystemCall("posix-tests-probe")

    @Test("EINTR is retried where the call allows it, and thrown where it does not")
    func interruptRetry() throws {
        var calls = 0
        func interruptedTwice() -> Int32 {
            calls += 1
            if calls <= 2 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(try Self.probe.run(interruptedTwice) == 7)
        #expect(calls == 3)
        calls = 0
        #expect(throws: SystemCallError(Self.probe, .interrupted)) { try Self.probe.run(retryOnInterrupt: false, interruptedTwice) }
        #expect(calls == 1)
    }

    @Test("a pointer-returning call retries EINTR and throws its failure typed")
    func pointerCalls() throws {
        var calls = 0
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        defer { storage.deallocate() }
        let result = try Self.probe.runReturningPointer(failure: nil) {
            calls += 1
            if calls == 1 {
                errno = EINTR
                return nil
            }
            return storage
        }
        #expect(result == storage && calls == 2)
        #expect(throws: SystemCallError(Self.probe, .noMemory)) {
            try Self.probe.runReturningPointer(failure: nil) {
                errno = ENOMEM
                return nil
            }
        }
    }

    @Test("an armed call fails before reaching the kernel, as many times as armed")
    func seam() throws {
        let call = SystemCall("posix-tests-seam")
        var reached = 0
        FailureInjection.arm(call, with: .ioError, count: 2)
        defer { FailureInjection.disarm(call) }
        #expect(FailureInjection.isArmed)
        for _ in 0 ..< 2 {
            #expect(throws: SystemCallError(call, .ioError)) {
                try call.run { () -> Int32 in reached += 1; return 0 }
            }
        }
        #expect(try call.run { () -> Int32 in reached += 1; return 5 } == 5)
        #expect(reached == 1)
    }

    @Test("a call armed on one thread still works on others; disarming clears it")
    func threadScope() throws {
        let call = SystemCall("posix-tests-thread")
        FailureInjection.arm(call, with: .ioError, count: 5, onThisThreadOnly: true)
        defer { FailureInjection.disarm(call) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var elsewhere: Result<Int32, SystemCallError>?
        DispatchQueue.global().async {
            elsewhere = Result { () throws(SystemCallError) in try call.run { 1 } }
            done.signal()
        }
        done.wait()
        #expect(try elsewhere?.get() == 1)
        #expect(throws: SystemCallError(call, .ioError)) { try call.run { 2 } }
        FailureInjection.disarm(call)
        #expect(try call.run { 3 } == 3)
    }

    @Test("bytes written into a pipe are read back whole; end of file reads as 0")
    func pipeRoundTrip() throws {
        let (readEnd, writeEnd) = try Sys.pipe()
        defer { try? Sys.close(readEnd) }
        let message = Array("ringside posix".utf8)
        try message.withUnsafeBytes { try Sys.writeFully(writeEnd, $0) }
        try Sys.close(writeEnd)
        var received = [UInt8](repeating: 0, count: 64)
        let count = try received.withUnsafeMutableBytes { try Sys.readFully(readEnd, into: $0) }
        #expect(Array(received[..<count]) == message)
    }

    @Test("directories list their entries; links resolve; sleeping takes at least its time")
    func pathsAndSleep() throws {
        let folder = "/tmp/ringside-posix-\(getpid())"
        try Sys.mkdir(folder, 0o700)
        defer {
            try? Sys.unlink(folder + "/a")
            _ = rmdir(folder)
        }
        try Sys.close(try Sys.open(folder + "/a", O_CREAT | O_WRONLY, 0o600))
        #expect(try Sys.directoryEntries(folder) == ["a"])
        #expect(throws: SystemCallError(.opendir, .noSuchFile)) { try Sys.directoryEntries(folder + "/none") }
        #expect(try Sys.readLink("/proc/self/exe").hasPrefix("/"))
        let start = ContinuousClock.now
        try Sys.sleep(for: .milliseconds(20))
        #expect(ContinuousClock.now - start >= .milliseconds(20))
    }
}
