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
        typealias Layout = TimelineBinaryLayout
        var at = 0
        for _ in 0..<count {
            let left = bytes.count - at
            try Layout.checkRoom(.keys, length: Layout.keyEntryFixedSize, available: left)
            let length = Int(bytes.unsafeLoadBigEndian(at: at, as: UInt16.self))
            try Layout.checkRoom(.key, length: length, available: left - Layout.keyEntryFixedSize)
            at += Layout.keyEntryFixedSize + length
        }
        guard at == bytes.count else { throw .trailingBytes(count: bytes.count - at) }
        self.init(unchecked: bytes, count: count)
    }

    /// Walks the keys in order.
    @inlinable
    public func makeIterator() -> Iterator { Iterator(entries: entries, remaining: count) }

    /// An iterator over validated keys.
    @frozen
    public struct Iterator: IteratorProtocol {
        @usableFromInline let entries: UnsafeRawBufferPointer
        @usableFromInline var offset = 0
        @usableFromInline var remaining: Int

        @inlinable
        init(entries: UnsafeRawBufferPointer, remaining: Int) {
            self.entries = entries
            self.remaining = remaining
        }

        /// The next key's bytes, or nil after the last.
        @inlinable
        public mutating func next() -> UnsafeRawBufferPointer? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let length = Int(entries.unsafeLoadBigEndian(at: offset, as: UInt16.self))
            let key = entries.unsafeSlice(at: offset + TimelineBinaryLayout.keyEntryFixedSize, count: length)
            offset += TimelineBinaryLayout.keyEntryFixedSize + length
            return key
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
