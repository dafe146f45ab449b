import Glibc

extension SystemCall {
    /// `readlink`.
    public static let readlink = SystemCall("readlink")
}

extension Sys {
    /// `readlink(2)`: the target of the symbolic link at `path` (`/proc/self/exe`).
    public static func readLink(_ path: String) throws(SystemCallError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try SystemCall.readlink.run { Glibc.readlink(path, &buffer, buffer.count - 1) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
