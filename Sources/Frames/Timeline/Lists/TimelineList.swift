/// A counted list of variable-size entries in the binary layout, validated: a flyweight
/// sequence over the encoded entries that hands out `Element`s viewing the buffer. One type
/// serves every list of the layout (``TimelineKeys``, ``TimelineWrites``, ``TimelineRecords``,
/// ``TimelineResults``); `Element` says how one entry is checked and read. Walking it
/// allocates nothing.
@frozen
public struct TimelineList<Element: TimelineListElement>: Sequence {
    /// The encoded entries, without the message's fixed part.
    @usableFromInline let entries: UnsafeRawBufferPointer
    /// The number of entries.
    public let count: Int

    @inlinable
    init(unchecked entries: UnsafeRawBufferPointer, count: Int) {
        self.entries = entries
        self.count = count
    }

    /// No entries.
    @inlinable
    public static var empty: TimelineList { TimelineList(unchecked: .empty, count: 0) }

    /// Validates `count` entries filling `bytes` exactly: every length fits, every score is
    /// finite, no byte follows the last entry.
    @inlinable
    init(validating bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) {
        let length = try Self.validatedLength(of: bytes, count: count)
        guard length == bytes.count else { throw .trailingBytes(count: bytes.count - length) }
        self.init(unchecked: bytes, count: count)
    }

    /// Validates `count` entries at the start of `bytes` (more bytes may follow) and returns
    /// the number of bytes they take.
    @inlinable
    static func validatedLength(of bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) -> Int {
        var at = 0
        for _ in 0..<count {
            at += try Element.validatedListEntrySize(at: at, in: bytes)
        }
        return at
    }

    /// Walks the entries in order.
    @inlinable
    public func makeIterator() -> Iterator { Iterator(entries: entries, remaining: count) }

    /// The number of entries.
    @inlinable
    public var underestimatedCount: Int { count }

    /// An iterator over validated entries.
    @frozen
    public struct Iterator: IteratorProtocol {
        /// The encoded entries.
        @usableFromInline let entries: UnsafeRawBufferPointer
        /// Where the next entry starts.
        @usableFromInline var offset = 0
        /// The entries not yet read.
        @usableFromInline var remaining: Int

        /// A walk over `remaining` validated entries at the start of `entries`.
        @inlinable
        init(entries: UnsafeRawBufferPointer, remaining: Int) {
            self.entries = entries
            self.remaining = remaining
        }

        /// The next entry, or nil after the last.
        @inlinable
        public mutating func next() -> Element? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let (element, size) = Element.unsafeListEntry(at: offset, in: entries)
            offset += size
            return element
        }
    }
}
