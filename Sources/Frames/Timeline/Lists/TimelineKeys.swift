/// The keys of a select of several keys in the binary layout, validated: a flyweight
/// sequence over the encoded keys (each a u16 length and its bytes) that hands out views into
/// the buffer.
@frozen
public struct TimelineKeys: Sequence {
    /// The encoded keys, without the message's fixed part.
    @usableFromInline let entries: UnsafeRawBufferPointer
    /// The number of keys.
    public let count: Int

    @inlinable
    init(unchecked entries: UnsafeRawBufferPointer, count: Int) {
        self.entries = entries
        self.count = count
    }

    /// No keys.
    @inlinable
    public static var empty: TimelineKeys { TimelineKeys(unchecked: .empty, count: 0) }

    /// Validates `count` keys filling `bytes` exactly: every length fits, no byte follows
    /// the last key.
    @inlinable
    init(validating bytes: UnsafeRawBufferPointer, count: Int) throws(TimelineCodecError) {
        try TimelineList<Entry>.validate(bytes, count: count)
        self.init(unchecked: bytes, count: count)
    }

    /// Walks the keys in order.
    @inlinable
    public func makeIterator() -> Iterator { Iterator(list: TimelineList(entries: entries, remaining: count)) }

    /// An iterator over validated keys.
    @frozen
    public struct Iterator: IteratorProtocol {
        @usableFromInline var list: TimelineList<Entry>

        @inlinable
        init(list: TimelineList<Entry>) {
            self.list = list
        }

        /// The next key's bytes, or nil after the last.
        @inlinable
        public mutating func next() -> UnsafeRawBufferPointer? { list.next() }
    }

    /// One key: a u16 length and its bytes.
    @usableFromInline
    enum Entry: TimelineListEntry {
        @inlinable
        static func validatedSize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
            typealias Layout = TimelineBinaryLayout
            let left = bytes.count - offset
            try Layout.checkRoom(.keys, length: Layout.keyEntryFixedSize, available: left)
            let length = Int(bytes.unsafeLoadBigEndian(at: offset, as: UInt16.self))
            try Layout.checkRoom(.key, length: length, available: left - Layout.keyEntryFixedSize)
            return Layout.keyEntryFixedSize + length
        }

        @inlinable
        static func element(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: UnsafeRawBufferPointer, size: Int) {
            let length = Int(entries.unsafeLoadBigEndian(at: offset, as: UInt16.self))
            let key = entries.unsafeSlice(at: offset + TimelineBinaryLayout.keyEntryFixedSize, count: length)
            return (key, TimelineBinaryLayout.keyEntryFixedSize + length)
        }
    }

    /// The number of keys.
    @inlinable
    public var underestimatedCount: Int { count }
}

/// Writes the keys of a select of several keys into a buffer, one `append` at a time; `keys`
/// is then the request's `TimelineKeys`, for `TimelineRequest.select(keys:offset:limit:)`.
public struct TimelineKeysWriter {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var end = 0
    @usableFromInline var appended = 0

    /// A writer that fills `buffer` from its start.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

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
    public var keys: TimelineKeys {
        TimelineKeys(unchecked: UnsafeRawBufferPointer(buffer).unsafeSlice(at: 0, count: end), count: appended)
    }
}
