import Glibc

extension SystemCall {
    /// `opendir(3)` of the shared-memory directory.
    public static let shmDirectoryOpen = SystemCall("opendir(/dev/shm)")
    /// `readdir(3)` of the shared-memory directory.
    public static let shmDirectoryRead = SystemCall("readdir(/dev/shm)")
}

extension Sys {
    /// Where Linux keeps POSIX shared-memory segments: `/NAME` lives at `/dev/shm/NAME`.
    public static let sharedMemoryDirectory = "/dev/shm"

    /// The names of the POSIX shared-memory segments whose file names start with `prefix`
    /// (without a leading slash), each returned as a segment name with its slash (`/NAME`).
    /// Used to find segments a dead process left behind; cold path, so it allocates.
    public static func sharedMemoryNames(withPrefix prefix: String) throws(SystemCallError) -> [String] {
        if FailureInjection.isArmed, let injected = FailureInjection.take(.shmDirectoryOpen) {
            throw SystemCallError(.shmDirectoryOpen, injected)
        }
        guard let directory = opendir(sharedMemoryDirectory) else {
            throw SystemCallError(.shmDirectoryOpen, .current)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemCallError(.shmDirectoryRead, .current) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(prefix) { names.append("/" + name) }
        }
    }
}
