/// The result of a select: entries highest first, in a reusable buffer.
///
/// A selection keeps its storage between selects, so selecting again into the same
/// selection allocates nothing once it has grown to the size of the results. Members are
/// slices of the selection's own byte buffer.
public struct Selection: RandomAccessCollection, Sendable, Equatable {
    /// One selected entry.
    public struct Entry: Sendable, Hashable {
        /// The member's bytes.
        public var member: ArraySlice<UInt8>
        /// The member's score.
        public var score: Double

        /// An entry of `member` at `score`.
        public init(member: some Sequence<UInt8>, score: Double) {
            self.init(slice: ArraySlice(member), score: score)
        }

        /// An entry sharing `slice`'s storage.
        init(slice: ArraySlice<UInt8>, score: Double) {
            self.member = slice
            self.score = score
        }
    }

    /// Where one entry's member ends in `bytes`, and its score.
    struct Mark: Sendable, Equatable {
        var end: Int
        var score: Double
    }

    // Both arrays are kept at their reserved length; the counts say how much is in use,
    // so that emptying and refilling them is plain stores.
    /// The entries' marks in `0 ..< markCount`.
    private var marks: [Mark] = []
    private var markCount = 0
    /// The members' bytes in `0 ..< byteCount`.
    private var bytes: [UInt8] = []
    private var byteCount = 0

    /// An empty selection with room for `entries` entries and `memberBytes` member bytes.
    public init(reservingEntries entries: Int = 0, memberBytes: Int = 0) {
        marks = Array(repeating: Mark(end: 0, score: 0), count: entries)
        bytes = Array(repeating: 0, count: memberBytes)
    }

    /// The position of the first (highest) entry: 0.
    public var startIndex: Int { 0 }

    /// One past the last position: the number of entries.
    public var endIndex: Int { markCount }

    /// The entry at `position`, 0 being the highest.
    public subscript(position: Int) -> Entry {
        let start = position == 0 ? 0 : marks[position - 1].end
        return Entry(slice: bytes[start ..< marks[position].end], score: marks[position].score)
    }

    /// The score of the entry at `position`, 0 being the highest (without making an `Entry`).
    public func score(at position: Int) -> Double {
        marks[..<markCount][position].score
    }

    /// Whether both hold the same entries in the same order.
    public static func == (lhs: Selection, rhs: Selection) -> Bool {
        lhs.marks[..<lhs.markCount] == rhs.marks[..<rhs.markCount]
            && lhs.bytes[..<lhs.byteCount] == rhs.bytes[..<rhs.byteCount]
    }

    /// Replaces the contents by at most `entries` entries that `fill` writes in place, in
    /// the storage the selection has now (it never grows here): entry i's mark at
    /// `marks[i]` (room for `entries`), the members' bytes one after another from the start
    /// of `bytes`. `fill` returns how many entries and member bytes it wrote, or nil when
    /// the members do not fit in `bytes`. Returns false, the selection left empty, when
    /// there is no room for `entries` marks or `fill` returned nil. The pointers are valid
    /// only during the call.
    @inline(__always)
    mutating func unsafeReplace(
        atMost entries: Int,
        _ fill: (UnsafeMutablePointer<Mark>, UnsafeMutableRawBufferPointer) -> (entries: Int, memberBytes: Int)?
    ) -> Bool {
        markCount = 0
        byteCount = 0
        guard entries <= marks.count else { return false }
        let written = marks.withUnsafeMutableBufferPointer { marks in
            bytes.withUnsafeMutableBytes { bytes in fill(marks.baseAddress.unsafelyUnwrapped, bytes) }
        }
        guard let written else { return false }
        markCount = written.entries
        byteCount = written.memberBytes
        return true
    }

    /// Empties the selection, keeping its storage.
    mutating func removeAll() {
        markCount = 0
        byteCount = 0
    }

    /// Empties the selection and grows its storage, if it must, to room for `entries`
    /// entries and `memberBytes` member bytes (at least doubling what grows).
    mutating func reserve(entries: Int, memberBytes: Int) {
        removeAll()
        if entries > marks.count {
            marks.append(contentsOf: repeatElement(Mark(end: 0, score: 0), count: Swift.max(entries, 2 * marks.count) - marks.count))
        }
        if memberBytes > bytes.count {
            bytes.append(contentsOf: repeatElement(0, count: Swift.max(memberBytes, 2 * bytes.count) - bytes.count))
        }
    }
}
