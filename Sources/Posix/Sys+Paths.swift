import Glibc

extension SystemCall {
    /// `opendir`.
    public static let opendir = SystemCall("opendir")
    /// `readlink`.
    public static let readlink = SystemCall("readlink")
}

extension Sys {
    /// The entry names of the directory at `path` (`.` and `..` left out), through
    /// `opendir(3)`/`readdir(3)`.
    public static func directoryEntries(_ path: String) throws(SystemCallError) -> [String] {
        if FailureInjection.isArmed, let injected = FailureInjection.take(.opendir) {
            throw SystemCallError(.opendir, injected)
        }
        guard let directory = opendir(path) else { throw SystemCallError(.opendir, .current) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `readlink(2)`: the target of the symbolic link at `path` (`/proc/self/exe`).
    public static func readLink(_ path: String) throws(SystemCallError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try SystemCall.readlink.run { Glibc.readlink(path, &buffer, buffer.count - 1) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
