extension Sys {
    /// Where Linux keeps POSIX shared-memory segments: `/NAME` lives at `/dev/shm/NAME`.
    public static let sharedMemoryDirectory = "/dev/shm"

    /// The names of the POSIX shared-memory segments whose file names start with `prefix`
    /// (without a leading slash), each returned as a segment name with its slash (`/NAME`):
    /// ``directoryEntries(_:)`` of ``sharedMemoryDirectory``, filtered. Used to find segments
    /// a dead process left behind; cold path, so it allocates.
    public static func sharedMemoryNames(withPrefix prefix: String) throws(SystemCallError) -> [String] {
        try directoryEntries(sharedMemoryDirectory).filter { $0.hasPrefix(prefix) }.map { "/" + $0 }
    }
}
