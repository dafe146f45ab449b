/// Writes a counted list of the binary layout into a buffer of the caller's, one `append` at
/// a time; the appends are the element's (``TimelineKeysWriter``, ``TimelineRecordsWriter``,
/// ``TimelineWritesWriter``), and what they wrote is then a ``TimelineList`` over the buffer.
public struct TimelineListWriter<Element: TimelineListElement> {
    /// The buffer the entries go into, from its start.
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    /// Where the next entry goes.
    @usableFromInline var end = 0
    /// The entries appended so far.
    @usableFromInline var appended = 0

    /// A writer that fills `buffer` from its start.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// The entries appended so far: views into the writer's buffer.
    @inlinable
    var written: TimelineList<Element> {
        TimelineList(unchecked: UnsafeRawBufferPointer(buffer).unsafeSlice(at: 0, count: end), count: appended)
    }
}
