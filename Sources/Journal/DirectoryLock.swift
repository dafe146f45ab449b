import Glibc
import Posix

/// The exclusive `flock` on a journal directory's `journal.lock`, which names its holder's pid.
enum DirectoryLock {
    /// Takes the lock on `directory` without waiting: the lock file's descriptor, which holds
    /// the lock until it is closed. A lock held elsewhere (another process, or another open
    /// journal in this one) is refused with the pid written in the lock file.
    static func acquire(directory: String) throws(JournalError) -> Int32 {
        let path = directory + "/" + JournalFileName.lock
        let descriptor: Int32
        do {
            descriptor = try Sys.open(path, O_RDWR | O_CREAT, 0o644)
        } catch {
            throw .systemCall(file: path, offset: nil, error)
        }
        var attempts = 0
        while true {
            do {
                try Sys.flock(descriptor, LOCK_EX | LOCK_NB)
                break
            } catch {
                let holder = error.errno == .wouldBlock ? holderPid(descriptor) : nil
                // A lock this process held and let go may still be held for a moment by a
                // child that another thread is spawning: the child has a copy of every
                // descriptor, and so of the lock, until its exec closes them. Wait that out
                // (at most ~200 ms) before calling it held.
                if holder == getpid() && attempts < 200 {
                    attempts += 1
                    try? Sys.sleep(for: .milliseconds(1))
                    continue
                }
                try? Sys.close(descriptor)
                throw error.errno == .wouldBlock
                    ? .locked(directory: directory, holder: holder) : .systemCall(file: path, offset: nil, error)
            }
        }
        let text = Array("\(getpid())\n".utf8)
        do throws(SystemCallError) {
            try Sys.ftruncate(descriptor, 0)
            _ = try text.withUnsafeBytes { bytes in Result { () throws(SystemCallError) in try Sys.pwrite(descriptor, bytes, at: 0) } }.get()
        } catch {
            try? Sys.close(descriptor)
            throw .systemCall(file: path, offset: 0, error)
        }
        return descriptor
    }

    /// The pid in the lock file, if it holds one.
    private static func holderPid(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 24)
        let count = bytes.withUnsafeMutableBytes { buffer in (try? Sys.pread(descriptor, into: buffer, at: 0)) ?? 0 }
        let text = String(decoding: bytes.prefix(count).prefix(while: { $0 != 0x0A }), as: UTF8.self)
        return Int32(text).flatMap { $0 > 0 ? $0 : nil }
    }
}
