import ShmRing

/// The segment names of one shared-memory server (see <doc:SharedMemoryHandshake>): the
/// control segment `/NAME-ctl` and the channel segments `/NAME-ch-PID-SEQ`, every one with
/// the server's name in its file name under `/dev/shm`.
public struct SharedMemoryNames: Sendable, Equatable {
    /// The longest server name accepted, in bytes: room is left for the channel suffix.
    public static let maxServerNameLength = 200

    /// The server's name (`ringside`), without a slash.
    public let server: String

    /// Checks a server name: 1 to ``maxServerNameLength`` bytes, no `/` (a single leading one
    /// is dropped), no NUL, not `.` or `..`.
    public init(server name: String) throws(TransportError) {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        let bytes = bare.utf8
        guard !bytes.isEmpty, bytes.count <= Self.maxServerNameLength else {
            throw .invalidArgument("server name '\(name)': \(bytes.count) bytes; 1 to \(Self.maxServerNameLength) allowed")
        }
        guard !bytes.contains(UInt8(ascii: "/")), !bytes.contains(0) else {
            throw .invalidArgument("server name '\(name)': no '/' or NUL allowed")
        }
        guard bare != "." && bare != ".." else { throw .invalidArgument("server name '\(name)' is not allowed") }
        server = bare
    }

    /// The control segment: `/NAME-ctl`.
    public var control: String { "/\(server)-ctl" }

    /// What every channel segment name starts with: `/NAME-ch-`.
    public var channelPrefix: String { "/\(server)-ch-" }

    /// The channel segment of client process `pid`, its `sequence`-th connection.
    public func channel(pid: Int32, sequence: Int) -> String { "\(channelPrefix)\(pid)-\(sequence)" }

    /// The client pid in a channel segment's name (`/NAME-ch-PID-SEQ`), or nil.
    func channelPid(_ name: String) -> Int32? {
        guard name.hasPrefix(channelPrefix) else { return nil }
        let parts = name.dropFirst(channelPrefix.count).split(separator: "-")
        guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, Int(parts[1]) != nil else { return nil }
        return pid
    }

    /// Whether `name` is a valid segment name of one of this server's channels.
    func isChannel(_ name: String) -> Bool {
        guard name.hasPrefix(channelPrefix), name.utf8.count > channelPrefix.utf8.count else { return false }
        return (try? SharedMemorySegment.validate(name: name)) != nil
    }
}
