/// The keys of a select of several keys in the binary layout, validated: a flyweight
/// sequence over the encoded keys (each a u16 length and its bytes) that hands out views into
/// the buffer.
public typealias TimelineKeys = TimelineList<UnsafeRawBufferPointer>

/// One key of ``TimelineKeys``: a u16 length and its bytes.
extension UnsafeRawBufferPointer: TimelineListElement {
    /// Checks the key at `offset` (its length fits) and returns its size.
    @inlinable
    public static func validatedListEntrySize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
        typealias Layout = TimelineBinaryLayout
        let left = bytes.count - offset
        try Layout.checkRoom(.keys, length: Layout.keyEntryFixedSize, available: left)
        let length = Int(bytes.unsafeLoadBigEndian(at: offset, as: UInt16.self))
        try Layout.checkRoom(.key, length: length, available: left - Layout.keyEntryFixedSize)
        return Layout.keyEntryFixedSize + length
    }

    /// Reads the validated key at `offset`: a view of its bytes, and its size.
    @inlinable
    public static func unsafeListEntry(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: UnsafeRawBufferPointer, size: Int) {
        let length = Int(entries.unsafeLoadBigEndian(at: offset, as: UInt16.self))
        let key = entries.unsafeSlice(at: offset + TimelineBinaryLayout.keyEntryFixedSize, count: length)
        return (key, TimelineBinaryLayout.keyEntryFixedSize + length)
    }
}

/// Writes the keys of a select of several keys into a buffer, one `append` at a time; `keys`
/// is then the request's `TimelineKeys`, for `TimelineRequest.select(keys:offset:limit:)`.
public typealias TimelineKeysWriter = TimelineListWriter<UnsafeRawBufferPointer>

extension TimelineListWriter where Element == UnsafeRawBufferPointer {
    /// Appends one key; throws, writing nothing, if it is longer than 65,535 bytes, the
    /// 65,535 keys a message holds are there already, or the buffer is full.
    @inlinable
    public mutating func append(_ key: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        try Layout.checkLength(key, .key)
        guard appended < Layout.maxKeyCount else { throw .valueOutOfRange(field: .keys, value: appended + 1) }
        let size = Layout.keyEntryFixedSize + key.count
        guard buffer.count - end >= size else { throw .bufferTooSmall(needed: size, available: buffer.count - end) }
        buffer.unsafeStoreBigEndian(UInt16(key.count), at: end)
        buffer.unsafeCopy(key, at: end + Layout.keyEntryFixedSize)
        end += size
        appended += 1
    }

    /// The keys appended so far: views into the writer's buffer.
    @inlinable
    public var keys: TimelineKeys { written }
}
