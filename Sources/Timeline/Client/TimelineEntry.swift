import LWWSet

/// One entry of a select's answer, copied out of the frame: a member and its score. Also a
/// range's cursor (``TimelineClient/range(key:after:before:limit:)``): pass the last entry of
/// a page as `after` to read the next.
public struct TimelineEntry: Sendable, Hashable, CustomStringConvertible {
    /// The member's bytes.
    public var member: [UInt8]
    /// Its score.
    public var score: Double

    /// An entry of `member` at `score`.
    public init(member: [UInt8], score: Double) {
        self.member = member
        self.score = score
    }

    /// An entry of `member`'s UTF-8 bytes at `score`.
    public init(member: String, score: Double) {
        self.init(member: Array(member.utf8), score: score)
    }

    /// `member:score`, the score as `ringside lww` prints it (contract 1); member bytes that
    /// are not UTF-8 show as U+FFFD.
    public var description: String { String(decoding: member, as: UTF8.self) + ":" + ScoreText.format(score) }
}

/// The entries of one key in the answer to a select of several keys.
public struct TimelineKeyEntries: Sendable, Hashable {
    /// The key's bytes.
    public var key: [UInt8]
    /// Its entries, highest score first.
    public var entries: [TimelineEntry]

    /// `entries` of `key`.
    public init(key: [UInt8], entries: [TimelineEntry]) {
        self.key = key
        self.entries = entries
    }
}

/// One write of a batch, as a Roshi POST body holds them: a key, a score and a member.
public struct KeyScoreMember: Sendable, Hashable {
    /// The key's bytes.
    public var key: [UInt8]
    /// The score (finite).
    public var score: Double
    /// The member's bytes.
    public var member: [UInt8]

    /// A write of `member` at `score` under `key`.
    public init(key: [UInt8], score: Double, member: [UInt8]) {
        self.key = key
        self.score = score
        self.member = member
    }

    /// A write of the UTF-8 bytes of `member` at `score` under those of `key`.
    public init(key: String, score: Double, member: String) {
        self.init(key: Array(key.utf8), score: score, member: Array(member.utf8))
    }
}

/// One event of a tail: a write the server accepted (it changed the set), copied out of
/// the frame.
public struct TimelineEvent: Sendable, Hashable, CustomStringConvertible {
    /// Insert or delete.
    public var kind: WriteKind
    /// The key's bytes.
    public var key: [UInt8]
    /// The score.
    public var score: Double
    /// The member's bytes.
    public var member: [UInt8]

    /// An event of `kind` for `member` at `score` under `key`.
    public init(kind: WriteKind, key: [UInt8], score: Double, member: [UInt8]) {
        self.kind = kind
        self.key = key
        self.score = score
        self.member = member
    }

    /// `insert KEY SCORE MEMBER` (or delete), as an op-script line (contract 1).
    public var description: String {
        "\(kind == .insert ? "insert" : "delete") \(String(decoding: key, as: UTF8.self)) \(ScoreText.format(score)) "
            + String(decoding: member, as: UTF8.self)
    }
}

/// How a write is sent.
public enum TimelineDelivery: Sendable, Hashable {
    /// REQUEST_FNF: returns once the frame is handed to the carrier; the server answers
    /// nothing, so a refused write is only counted there.
    case fireAndForget
    /// REQUEST_RESPONSE: returns once the server has applied the write (and, with a data
    /// directory, made it durable); a select sent after it sees it.
    case acknowledged
}
