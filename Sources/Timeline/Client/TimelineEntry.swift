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

    /// `member:score`, as `ringside select` prints it (the score as contract 1 prints it); a
    /// byte of the member that is not part of valid UTF-8 shows as `\xHH` (where the command
    /// writes the raw byte), so distinct members never read the same.
    public var description: String { member.printableText + ":" + ScoreText.format(score) }
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

    /// `insert KEY SCORE MEMBER` (or delete), an op-script line (contract 1) as `ringside
    /// tail` prints it; a byte of the key or the member that is not part of valid UTF-8 shows
    /// as `\xHH` (where the command writes the raw byte).
    public var description: String {
        "\(kind == .insert ? "insert" : "delete") \(key.printableText) \(ScoreText.format(score)) \(member.printableText)"
    }
}

extension [UInt8] {
    /// The bytes as text: valid UTF-8 as it is, each byte outside a valid UTF-8 sequence as
    /// `\xHH` (two lowercase hex digits), as Python and Go quote raw bytes.
    fileprivate var printableText: String {
        var text = ""
        text.reserveCapacity(count)
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = makeIterator()
        var position = 0  // where the scalar (or the invalid bytes) the parser reports starts
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let encoded):
                text.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                position += encoded.count
            case .error(let length):
                for byte in self[position ..< Swift.min(position + length, count)] {
                    text += byte < 0x10 ? "\\x0" : "\\x"
                    text += String(byte, radix: 16)
                }
                position += length
            case .emptyInput:
                return text
            }
        }
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
