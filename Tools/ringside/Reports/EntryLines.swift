import LWWSet
import Timeline

/// What `select` and `tail` print, byte for byte: keys and members as the server holds them
/// (raw bytes, not repaired into UTF-8), scores as contract 1 prints them.
enum EntryLines {
    /// `member:score` and a newline, appended to `line`.
    static func append(_ entry: TimelineEntry, to line: inout [UInt8]) {
        line += entry.member
        line.append(UInt8(ascii: ":"))
        line += ScoreText.format(entry.score).utf8
        line.append(UInt8(ascii: "\n"))
    }

    /// `insert KEY SCORE MEMBER` (or `delete ...`) and a newline, as an op-script line.
    static func line(_ event: TimelineEvent) -> [UInt8] {
        var line = Array((event.kind == .insert ? "insert " : "delete ").utf8)
        line += event.key
        line.append(UInt8(ascii: " "))
        line += ScoreText.format(event.score).utf8
        line.append(UInt8(ascii: " "))
        line += event.member
        line.append(UInt8(ascii: "\n"))
        return line
    }
}
