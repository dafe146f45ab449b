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

    /// Where one entry's member ends in the members' bytes, and its score.
    struct Mark: Sendable, Equatable, BitwiseCopyable {
        var end: Int
        var score: Double
    }

    // One buffer, so that a select checks one reference for uniqueness before it writes:
    // room for marks first, then the members' bytes. It is kept at its reserved length;
    // the counts say how much is in use, so that emptying and refilling it is plain stores.
    /// The marks, then the members' bytes.
    private var storage: [UInt8] = []
    /// The offset of the members' bytes in `storage`: the room for marks, in bytes.
    private var bytesStart = 0
    /// The entries' marks in use, from the start.
    private var markCount = 0
    /// The members' bytes in use, from the end of the marks' room.
    private var byteCount = 0
    /// The bytes of one mark.
    private static let markSize = MemoryLayout<Mark>.stride

    /// The room for marks at the start of `storage`.
    private var markCapacity: Int { bytesStart / Self.markSize }

    /// An empty selection with room for `entries` entries and `memberBytes` member bytes.
    public init(reservingEntries entries: Int = 0, memberBytes: Int = 0) {
        storage = Array(repeating: 0, count: entries * Self.markSize + memberBytes)
        bytesStart = entries * Self.markSize
    }

    /// The position of the first (highest) entry: 0.
    public var startIndex: Int { 0 }

    /// One past the last position: the number of entries.
    public var endIndex: Int { markCount }

    /// The entry at `position`, 0 being the highest.
    public subscript(position: Int) -> Entry {
        let mark = mark(at: position)
        let start = position == 0 ? 0 : self.mark(at: position - 1).end
        return Entry(slice: storage[bytesStart + start ..< bytesStart + mark.end], score: mark.score)
    }

    /// The score of the entry at `position`, 0 being the highest (without making an `Entry`).
    public func score(at position: Int) -> Double {
        mark(at: position).score
    }

    /// The mark of the entry at `position` (in use: traps otherwise).
    private func mark(at position: Int) -> Mark {
        precondition(position >= 0 && position < markCount, "no entry at this position")
        return storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position * Self.markSize, as: Mark.self) }
    }

    /// Whether both hold the same entries in the same order.
    public static func == (lhs: Selection, rhs: Selection) -> Bool {
        guard lhs.markCount == rhs.markCount && lhs.byteCount == rhs.byteCount else { return false }
        for position in 0 ..< lhs.markCount where lhs.mark(at: position) != rhs.mark(at: position) {
            return false
        }
        return lhs.storage[lhs.bytesStart ..< lhs.bytesStart + lhs.byteCount]
            == rhs.storage[rhs.bytesStart ..< rhs.bytesStart + rhs.byteCount]
    }

    /// Replaces the contents by at most `entries` entries that `fill` writes in place, in
    /// the storage the selection has now (it never grows here): entry i's mark at byte
    /// `i * MemoryLayout<Mark>.stride` of the marks' room (room for `entries`), the members'
    /// bytes one after another from the start of their buffer. `fill` returns how many
    /// entries and member bytes it wrote, or nil when the members do not fit in their
    /// buffer. Returns false, the selection left empty, when there is no room for `entries`
    /// marks or `fill` returned nil. The pointers are valid only during the call.
    @inline(__always)
    mutating func unsafeReplace(
        atMost entries: Int,
        _ fill: (UnsafeMutableRawPointer, UnsafeMutableRawBufferPointer) -> (entries: Int, memberBytes: Int)?
    ) -> Bool {
        removeAll()
        guard entries <= markCapacity else { return false }
        let bytesStart = bytesStart
        let written = storage.withUnsafeMutableBytes { storage in
            // An array's buffer has an address even when it is empty.
            let marks = storage.baseAddress.unsafelyUnwrapped
            return fill(marks, UnsafeMutableRawBufferPointer(rebasing: storage[bytesStart...]))
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
        let markCapacity = markCapacity
        let byteCapacity = storage.count - bytesStart
        guard entries > markCapacity || memberBytes > byteCapacity else { return }
        let marks = entries > markCapacity ? Swift.max(entries, 2 * markCapacity) : markCapacity
        let bytes = memberBytes > byteCapacity ? Swift.max(memberBytes, 2 * byteCapacity) : byteCapacity
        storage = Array(repeating: 0, count: marks * Self.markSize + bytes)
        bytesStart = marks * Self.markSize
    }
}
