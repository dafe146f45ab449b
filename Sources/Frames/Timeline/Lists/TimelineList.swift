/// A walk over a counted list of variable-size entries in the binary layout: the validation
/// of untrusted bytes and the iteration over validated ones, one `Entry` at a time. Allocates
/// nothing.
@frozen
@usableFromInline
struct TimelineList<Entry: TimelineListEntry> {
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
    mutating func next() -> Entry.Element? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        let (element, size) = Entry.element(at: offset, in: entries)
        offset += size
        return element
    }

    /// Validates `count` entries at the start of `bytes` (more bytes may follow) and returns
    /// the number of bytes they take.
    @inlinable
    static func validatedLength(of bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) -> Int {
        var at = 0
        for _ in 0..<count {
            at += try Entry.validatedSize(at: at, in: bytes)
        }
        return at
    }

    /// Validates `count` entries filling `bytes` exactly: no byte follows the last.
    @inlinable
    static func validate(_ bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) {
        let length = try validatedLength(of: bytes, count: count)
        guard length == bytes.count else { throw .trailingBytes(count: bytes.count - length) }
    }
}
