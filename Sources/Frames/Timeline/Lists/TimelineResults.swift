/// One key's part of the response to a select of several keys: the key and its records.
@frozen
public struct TimelineKeyRecords {
    /// The key's bytes. A view into the frame's buffer (decoded) or the writer's buffer
    /// (built), valid only while that buffer is (the ring record, the pooled lease); copy what
    /// must outlive it.
    public let unsafeKey: UnsafeRawBufferPointer
    /// The key's selected entries, highest score first.
    public let records: TimelineRecords

    /// A key's result over `key`'s bytes and `records`.
    @inlinable
    public init(key: UnsafeRawBufferPointer, records: TimelineRecords) {
        self.unsafeKey = key
        self.records = records
    }
}

/// The per-key results of a select of several keys in the binary layout, validated: a
/// flyweight sequence over the encoded entries (each a u16 key length, the key, a u32 record
/// count and the records) that hands out `TimelineKeyRecords` viewing the buffer.
public typealias TimelineResults = TimelineList<TimelineKeyRecords>

/// One entry of ``TimelineResults``: a u16 key length, the key, a u32 record count and the
/// records.
extension TimelineKeyRecords: TimelineListElement {
    /// Checks the key's result at `offset` (every length fits, every score is finite) and
    /// returns its size.
    @inlinable
    public static func validatedListEntrySize(at offset: Int, in bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> Int {
        typealias Layout = TimelineBinaryLayout
        var left = bytes.count - offset
        try Layout.checkRoom(.results, length: Layout.resultKeyFixedSize, available: left)
        let keyLength = Int(bytes.unsafeLoadBigEndian(at: offset, as: UInt16.self))
        left -= Layout.resultKeyFixedSize
        try Layout.checkRoom(.key, length: keyLength, available: left)
        left -= keyLength
        try Layout.checkRoom(.records, length: Layout.resultRecordsCountSize, available: left)
        let countAt = offset + Layout.resultKeyFixedSize + keyLength
        let records = Int(bytes.unsafeLoadBigEndian(at: countAt, as: UInt32.self))
        let start = countAt + Layout.resultRecordsCountSize
        let length = try TimelineRecords.validatedLength(of: bytes.unsafeSlice(at: start, count: bytes.count - start), count: records)
        return start + length - offset
    }

    /// Reads the validated key's result at `offset`, its key and records views, and its size.
    @inlinable
    public static func unsafeListEntry(at offset: Int, in entries: UnsafeRawBufferPointer) -> (element: TimelineKeyRecords, size: Int) {
        typealias Layout = TimelineBinaryLayout
        let keyLength = Int(entries.unsafeLoadBigEndian(at: offset, as: UInt16.self))
        let key = entries.unsafeSlice(at: offset + Layout.resultKeyFixedSize, count: keyLength)
        let countAt = offset + Layout.resultKeyFixedSize + keyLength
        let count = Int(entries.unsafeLoadBigEndian(at: countAt, as: UInt32.self))
        let start = countAt + Layout.resultRecordsCountSize
        var records = TimelineRecords.Iterator(entries: entries.unsafeSlice(at: start, count: entries.count - start), remaining: count)
        while records.next() != nil {}
        let result = TimelineKeyRecords(key: key, records: TimelineRecords(unchecked: entries.unsafeSlice(at: start, count: records.offset), count: count))
        return (result, start + records.offset - offset)
    }
}

/// Writes the results of a select of several keys into a buffer: `appendKey` starts a key's
/// part, `appendRecord` adds to it; `results` is then the response's `TimelineResults`, for
/// `TimelineResponse.results(_:)`.
public struct TimelineResultsWriter {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var end = 0
    @usableFromInline var keys = 0
    /// Where the current key's record count is stored, or -1 before the first key.
    @usableFromInline var countOffset = -1
    @usableFromInline var records = 0

    /// A writer that fills `buffer` from its start.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// Starts the part of `key`, with no records yet; throws, writing nothing, if the key is
    /// longer than 65,535 bytes, 65,535 keys are there already, or the buffer is full.
    @inlinable
    public mutating func appendKey(_ key: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        try Layout.checkLength(key, .key)
        guard keys < Layout.maxKeyCount else { throw .valueOutOfRange(field: .results, value: keys + 1) }
        let size = Layout.resultKeyFixedSize + key.count + Layout.resultRecordsCountSize
        guard buffer.count - end >= size else { throw .bufferTooSmall(needed: size, available: buffer.count - end) }
        buffer.unsafeStoreBigEndian(UInt16(key.count), at: end)
        buffer.unsafeCopy(key, at: end + Layout.resultKeyFixedSize)
        countOffset = end + Layout.resultKeyFixedSize + key.count
        buffer.unsafeStoreBigEndian(UInt32(0), at: countOffset)
        end += size
        keys += 1
        records = 0
    }

    /// Appends a record to the key started last (a key must have been started); throws,
    /// writing nothing, as `TimelineRecordsWriter.append(member:score:)` does.
    @inlinable
    public mutating func appendRecord(member: UnsafeRawBufferPointer, score: Double) throws(TimelineCodecError) {
        precondition(countOffset >= 0, "TimelineResultsWriter: appendRecord before appendKey")
        guard records < TimelineBinaryLayout.maxItemCount else { throw .valueOutOfRange(field: .records, value: records + 1) }
        end += try TimelineBinaryLayout.storeRecord(member: member, score: score, in: buffer, at: end)
        records += 1
        buffer.unsafeStoreBigEndian(UInt32(records), at: countOffset)
    }

    /// The results written so far: views into the writer's buffer.
    @inlinable
    public var results: TimelineResults {
        TimelineResults(unchecked: UnsafeRawBufferPointer(buffer).unsafeSlice(at: 0, count: end), count: keys)
    }
}
