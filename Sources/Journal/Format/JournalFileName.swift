/// The name of a file in a journal directory: its kind and generation (see <doc:LogFormat>).
struct JournalFileName: Equatable, Hashable {
    /// What the name says the file is.
    enum Kind: Equatable, Hashable {
        /// `log-G.wal`
        case log
        /// `snapshot-G.snap`
        case snapshot
        /// `log-G.tmp` or `snapshot-G.tmp`: unfinished, deleted at open.
        case temporary
    }

    /// The kind.
    var kind: Kind
    /// The generation, 16 hexadecimal digits in the name.
    var generation: UInt64
    /// The directory entry's name.
    var name: String

    /// The lock file's name.
    static let lock = "journal.lock"

    /// The log of `generation`.
    static func log(_ generation: UInt64) -> String { "log-\(digits(generation)).wal" }
    /// The snapshot of `generation`.
    static func snapshot(_ generation: UInt64) -> String { "snapshot-\(digits(generation)).snap" }
    /// The file a log of `generation` is made in before it is renamed.
    static func temporaryLog(_ generation: UInt64) -> String { "log-\(digits(generation)).tmp" }
    /// The file a snapshot of `generation` is made in before it is renamed.
    static func temporarySnapshot(_ generation: UInt64) -> String { "snapshot-\(digits(generation)).tmp" }

    /// Parses a directory entry: nil for a name the journal did not make.
    init?(_ name: String) {
        let parts = name.split(separator: "-", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let rest = parts[1].split(separator: ".", maxSplits: 1)
        guard rest.count == 2, rest[0].utf8.count == 16,
              rest[0].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let generation = UInt64(rest[0], radix: 16)
        else { return nil }
        switch (parts[0], rest[1]) {
        case ("log", "wal"): kind = .log
        case ("snapshot", "snap"): kind = .snapshot
        case ("log", "tmp"), ("snapshot", "tmp"): kind = .temporary
        default: return nil
        }
        self.generation = generation
        self.name = name
    }

    private static func digits(_ generation: UInt64) -> String {
        let hex = String(generation, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
