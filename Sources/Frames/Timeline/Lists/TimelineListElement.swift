/// What a counted list in the binary layout hands out for one entry, and how that entry is
/// checked and read: the part that differs between ``TimelineKeys``, ``TimelineWrites``,
/// ``TimelineRecords`` and ``TimelineResults``, which share the walk itself as
/// ``TimelineList``. The requirements serve `TimelineList`; callers iterate the lists.
public protocol TimelineListElement {
    /// Checks the entry at `offset` in untrusted `bytes` against the bytes left after it
    /// (every length fits, every score is finite) and returns its size.
    static func validatedListEntrySize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int

    /// Reads the entry at `offset` in `entries`, and returns it with its size. Unchecked:
    /// `validatedListEntrySize(at:in:)` must have accepted that entry of these bytes.
    static func unsafeListEntry(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: Self, size: Int)
}
