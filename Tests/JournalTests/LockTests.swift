import Foundation
import Glibc
import Journal
import Testing

extension JournalTests {
    @Suite("Directory lock")
    struct LockTests {
        @Test("a second opener is refused at once, naming the directory and the holder's pid")
        func secondOpenerRefused() throws {
            try TestSupport.withDirectory("lock") { directory in
                let (journal, _) = try TestSupport.open(directory)
                let started = ContinuousClock.now
                #expect {
                    _ = try Journal.open(directory: directory)
                } throws: { error in
                    guard case JournalError.locked(let lockedDirectory, let holder) = error else { return false }
                    return lockedDirectory == directory && holder == getpid()
                        && "\(error)".contains(directory) && "\(error)".contains("pid \(getpid())")
                }
                #expect(ContinuousClock.now - started < .seconds(1))
                try journal.close()
                let (reopened, _) = try TestSupport.open(directory)
                try reopened.close()
            }
        }

        @Test("another process is refused while this one holds the lock",
              .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
        func otherProcessRefused() throws {
            try TestSupport.withDirectory("lock-process") { directory in
                let (journal, _) = try TestSupport.open(directory)
                defer { try? journal.close() }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
                process.arguments = ["--nonblock", "--conflict-exit-code", "7", directory + "/journal.lock", "true"]
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 7)
            }
        }
    }
}
