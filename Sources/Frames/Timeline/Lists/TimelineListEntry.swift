/// How one entry of a counted list in the binary layout is checked and read: the part that
/// differs between `TimelineKeys`, `TimelineRecords`, `TimelineWrites` and `TimelineResults`,
/// which share the walk itself through `TimelineList`.
@usableFromInline
protocol TimelineListEntry {
    /// What the list hands out for one entry: views into the buffer.
    associatedtype Element

    /// Checks the entry at `offset` in `bytes` against the bytes left after it (every length
    /// fits, every score is finite) and returns its size.
    static func validatedSize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int

    /// Reads the validated entry at `offset` in `entries`, and returns it with its size.
    static func element(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: Element, size: Int)
}
