import Glibc

extension SystemCall {
    /// `opendir(3)`.
    public static let opendir = SystemCall("opendir")
    /// `readdir(3)` (the seam fails the first read of a listing).
    public static let readdir = SystemCall("readdir")
}

extension Sys {
    /// The names in directory `path` (`opendir`/`readdir`/`closedir`), without `.` and `..`,
    /// in the order the file system returns them.
    public static func directoryEntries(_ path: String) throws(SystemCallError) -> [String] {
        let stream = OpaquePointer(try SystemCall.opendir.runReturningPointer(failure: nil) {
            UnsafeMutableRawPointer(Glibc.opendir(path))
        })
        defer { Glibc.closedir(stream) }
        if FailureInjection.isArmed, let injected = FailureInjection.take(.readdir) {
            throw SystemCallError(.readdir, injected)
        }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = Glibc.readdir(stream) else {
                if errno != 0 { throw SystemCallError(.readdir, .current) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// Makes the entries of directory `path` durable (a created, renamed or removed name):
    /// `open(O_RDONLY | O_DIRECTORY)`, `fsync`, `close`.
    public static func fsyncDirectory(_ path: String) throws(SystemCallError) {
        let descriptor = try open(path, O_RDONLY | O_DIRECTORY)
        defer { try? close(descriptor) }
        try fsync(descriptor)
    }

    /// `mkdir(2)` of `path` and every missing parent (`mkdir -p`), each with `mode`.
    public static func makeDirectories(_ path: String, _ mode: mode_t) throws(SystemCallError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            do {
                try mkdir(prefix, mode)
            } catch where error.errno == .fileExists {
                // Already there (or made by another process meanwhile).
            }
            prefix += "/"
        }
    }
}
