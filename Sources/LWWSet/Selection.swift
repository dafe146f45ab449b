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
            self.member = ArraySlice(member)
            self.score = score
        }
    }

    private var scores: [Double] = []
    /// `ends[i]` is where entry i's member ends in `bytes`.
    private var ends: [Int] = []
    private var bytes: [UInt8] = []

    /// An empty selection with room for `entries` entries and `memberBytes` member bytes.
    public init(reservingEntries entries: Int = 0, memberBytes: Int = 0) {
        scores.reserveCapacity(entries)
        ends.reserveCapacity(entries)
        bytes.reserveCapacity(memberBytes)
    }

    /// The position of the first (highest) entry: 0.
    public var startIndex: Int { 0 }

    /// One past the last position: the number of entries.
    public var endIndex: Int { scores.count }

    /// The entry at `position`, 0 being the highest.
    public subscript(position: Int) -> Entry {
        let start = position == 0 ? 0 : ends[position - 1]
        return Entry(member: bytes[start ..< ends[position]], score: scores[position])
    }

    /// Empties the selection, keeping its storage.
    mutating func removeAll() {
        scores.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Adds an entry below the others.
    mutating func append(score: Double, member: UnsafeRawBufferPointer) {
        scores.append(score)
        bytes.append(contentsOf: member)
        ends.append(bytes.count)
    }
}
