/// What a timeline request asks for (DESIGN, contract 2).
@frozen
public enum TimelineOperation: UInt8, Hashable, Sendable, CaseIterable {
    /// Insert `(key, score, member)` (request-response or fire-and-forget; also a tail event).
    case insert = 0x01
    /// Delete `(key, score, member)` (request-response or fire-and-forget; also a tail event).
    case delete = 0x02
    /// Select a page of a key's members, highest score first (request-response).
    case select = 0x03
    /// Follow a key's accepted writes (request-stream).
    case tail = 0x04
    /// Insert many `(key, score, member)` writes, as one Roshi POST body (request-response
    /// or fire-and-forget).
    case insertBatch = 0x05
    /// Delete many `(key, score, member)` writes; as `insertBatch`.
    case deleteBatch = 0x06
    /// Select a page of each of several keys, one offset and limit for all (request-response).
    case selectKeys = 0x07
    /// The cursor select: at most `limit` entries of a key strictly after an optional start
    /// cursor and strictly before an optional stop cursor (request-response).
    case range = 0x08
}

/// A timeline request, or a tail stream's event, in the binary layout
/// `application/x.ringside.v1`: a flyweight whose key and member are byte views.
///
/// Decoded with `init(decoding:)`, the views point into the frame's buffer (no copy, no
/// allocation); built with `insert`, `delete`, `select`, `tail`, `insertBatch`,
/// `deleteBatch`, `select(keys:offset:limit:)` or `range`, they point at the caller's bytes
/// and the request is written in place by a `FrameWriter` (it is `FrameEncodable`). Either
/// way the request is valid: keys and members fit a u16 length, every score is finite.
///
/// Which fields an operation uses: insert and delete `key`, `score`, `member`; select `key`,
/// `offset`, `limit`; tail `key`; the batches `writes`; `selectKeys` `keys`, `offset`,
/// `limit`; range `key`, `start`, `stop`, `limit`. The others are empty, zero or nil.
///
/// ```swift
/// let request = try TimelineRequest(decoding: frame.unsafeData)
/// if request.operation == .insert { set.insert(request.unsafeKey, request.score, request.unsafeMember) }
/// ```
@frozen
public struct TimelineRequest {
    /// The operation.
    public let operation: TimelineOperation
    /// The key's bytes. A view into the frame's buffer (decoded) or the caller's bytes
    /// (built), valid only while that buffer is (the ring record, the pooled lease); copy what
    /// must outlive it.
    public let unsafeKey: UnsafeRawBufferPointer
    /// The member's bytes (insert and delete; empty otherwise). A view into the frame's
    /// buffer (decoded) or the caller's bytes (built), valid only while that buffer is (the
    /// ring record, the pooled lease); copy what must outlive it.
    public let unsafeMember: UnsafeRawBufferPointer
    /// The score (insert and delete; 0 otherwise).
    public let score: Double
    /// The number of entries to skip (select; 0 otherwise).
    public let offset: UInt32
    /// The most entries to return (select, selectKeys and range; 0 otherwise).
    public let limit: UInt32
    /// The writes of a batch (insertBatch and deleteBatch; empty otherwise).
    public let writes: TimelineWrites
    /// The keys of a select of several keys (selectKeys; empty otherwise).
    public let keys: TimelineKeys
    /// A range's start cursor, exclusive (nil: from the top; always nil for other operations).
    public let start: TimelineCursor?
    /// A range's stop cursor, exclusive (nil: to the bottom; always nil for other operations).
    public let stop: TimelineCursor?

    @inlinable
    init(
        operation: TimelineOperation, key: UnsafeRawBufferPointer = .empty, member: UnsafeRawBufferPointer = .empty,
        score: Double = 0, offset: UInt32 = 0, limit: UInt32 = 0, writes: TimelineWrites = .empty,
        keys: TimelineKeys = .empty, start: TimelineCursor? = nil, stop: TimelineCursor? = nil
    ) {
        self.operation = operation
        self.unsafeKey = key
        self.unsafeMember = member
        self.score = score
        self.offset = offset
        self.limit = limit
        self.writes = writes
        self.keys = keys
        self.start = start
        self.stop = stop
    }

    /// An insert of `member` with `score` under `key` (each at most 65,535 bytes; a finite score).
    @inlinable @inline(__always)
    public static func insert(key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) throws(TimelineCodecError) -> TimelineRequest {
        try event(.insert, key: key, score: score, member: member)
    }

    /// A delete of `member` with `score` under `key`; as `insert`.
    @inlinable @inline(__always)
    public static func delete(key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) throws(TimelineCodecError) -> TimelineRequest {
        try event(.delete, key: key, score: score, member: member)
    }

    /// A select of at most `limit` entries of `key`, after skipping `offset`.
    @inlinable
    public static func select(key: UnsafeRawBufferPointer, offset: UInt32, limit: UInt32) throws(TimelineCodecError) -> TimelineRequest {
        try TimelineBinaryLayout.checkLength(key, .key)
        return TimelineRequest(operation: .select, key: key, offset: offset, limit: limit)
    }

    /// A tail of `key`'s accepted writes.
    @inlinable
    public static func tail(key: UnsafeRawBufferPointer) throws(TimelineCodecError) -> TimelineRequest {
        try TimelineBinaryLayout.checkLength(key, .key)
        return TimelineRequest(operation: .tail, key: key)
    }

    /// An insert of every write of `writes` (built by a `TimelineWritesWriter`, or read from
    /// another batch).
    @inlinable
    public static func insertBatch(_ writes: TimelineWrites) -> TimelineRequest {
        TimelineRequest(operation: .insertBatch, writes: writes)
    }

    /// A delete of every write of `writes`; as `insertBatch`.
    @inlinable
    public static func deleteBatch(_ writes: TimelineWrites) -> TimelineRequest {
        TimelineRequest(operation: .deleteBatch, writes: writes)
    }

    /// A select of at most `limit` entries of each of `keys` (built by a
    /// `TimelineKeysWriter`), after skipping `offset` in each.
    @inlinable
    public static func select(keys: TimelineKeys, offset: UInt32, limit: UInt32) -> TimelineRequest {
        TimelineRequest(operation: .selectKeys, offset: offset, limit: limit, keys: keys)
    }

    /// A cursor select of at most `limit` entries of `key` strictly after `start` (nil: from
    /// the top) and strictly before `stop` (nil: to the bottom). Key and cursor members are
    /// at most 65,535 bytes; cursor scores are finite.
    @inlinable
    public static func range(
        key: UnsafeRawBufferPointer, start: TimelineCursor?, stop: TimelineCursor?, limit: UInt32
    ) throws(TimelineCodecError) -> TimelineRequest {
        try TimelineBinaryLayout.checkLength(key, .key)
        try checkCursor(start, .start)
        try checkCursor(stop, .stop)
        return TimelineRequest(operation: .range, key: key, limit: limit, start: start, stop: stop)
    }

    /// Checks a cursor's member fits a u16 length (an error naming `field`) and its score is finite.
    @inlinable
    static func checkCursor(_ cursor: TimelineCursor?, _ field: TimelineField) throws(TimelineCodecError) {
        guard let cursor else { return }
        try TimelineBinaryLayout.checkLength(cursor.unsafeMember, field)
        try TimelineBinaryLayout.checkScore(cursor.score)
    }

    /// An insert or delete, checked.
    @inlinable @inline(__always)
    static func event(
        _ operation: TimelineOperation, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer
    ) throws(TimelineCodecError) -> TimelineRequest {
        try TimelineBinaryLayout.checkLength(key, .key)
        try TimelineBinaryLayout.checkLength(member, .member)
        try TimelineBinaryLayout.checkScore(score)
        return TimelineRequest(operation: operation, key: key, member: member, score: score)
    }

    /// Validates the binary request in `bytes` (exactly one message, as a frame's data) and
    /// reads it in place.
    @inlinable @inline(__always)
    public init(decoding bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        let code = try Layout.readOperation(bytes)
        switch TimelineOperation(rawValue: code) {
        case .insert?, .delete?:
            let write = try TimelineSingleWrite(decoding: bytes)
            self.init(
                operation: write.operation, key: bytes.unsafeSlice(at: write.keyOffset, count: write.keyCount),
                member: bytes.unsafeSlice(at: write.memberOffset, count: write.memberCount), score: write.score)
        case .select?:
            try Layout.checkFixedPart(bytes, fixedSize: Layout.selectFixedSize)
            let keyLength = Int(bytes.unsafeLoadBigEndian(at: Layout.keyLengthOffset, as: UInt16.self))
            try Layout.checkVariablePart(bytes, fixedSize: Layout.selectFixedSize, keyLength: keyLength)
            self.init(
                operation: .select, key: bytes.unsafeSlice(at: Layout.selectFixedSize, count: keyLength),
                offset: bytes.unsafeLoadBigEndian(at: Layout.selectOffsetOffset),
                limit: bytes.unsafeLoadBigEndian(at: Layout.selectLimitOffset))
        case .tail?:
            try Layout.checkFixedPart(bytes, fixedSize: Layout.tailFixedSize)
            let keyLength = Int(bytes.unsafeLoadBigEndian(at: Layout.keyLengthOffset, as: UInt16.self))
            try Layout.checkVariablePart(bytes, fixedSize: Layout.tailFixedSize, keyLength: keyLength)
            self.init(operation: .tail, key: bytes.unsafeSlice(at: Layout.tailFixedSize, count: keyLength))
        case .insertBatch?, .deleteBatch?:
            try Layout.checkFixedPart(bytes, fixedSize: Layout.batchFixedSize)
            let count = Int(bytes.unsafeLoadBigEndian(at: Layout.batchCountOffset, as: UInt32.self))
            let entries = bytes.unsafeSlice(at: Layout.batchFixedSize, count: bytes.count - Layout.batchFixedSize)
            self.init(
                operation: code == TimelineOperation.insertBatch.rawValue ? .insertBatch : .deleteBatch,
                writes: try TimelineWrites(validating: entries, count: count))
        case .selectKeys?:
            try Layout.checkFixedPart(bytes, fixedSize: Layout.keysFixedSize)
            let count = Int(bytes.unsafeLoadBigEndian(at: Layout.keysCountOffset, as: UInt16.self))
            let entries = bytes.unsafeSlice(at: Layout.keysFixedSize, count: bytes.count - Layout.keysFixedSize)
            self.init(
                operation: .selectKeys, offset: bytes.unsafeLoadBigEndian(at: Layout.selectOffsetOffset),
                limit: bytes.unsafeLoadBigEndian(at: Layout.selectLimitOffset), keys: try TimelineKeys(validating: entries, count: count))
        case .range?:
            try self.init(decodingRange: bytes)
        case nil:
            throw .unknownOperation(code)
        }
    }
}

extension TimelineRequest {
    /// Reads a range message (its operation byte already read): the fixed part, the flags,
    /// then key, start member and stop member ending exactly at the end.
    @inlinable
    init(decodingRange bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        try Layout.checkFixedPart(bytes, fixedSize: Layout.rangeFixedSize)
        let flags = bytes[Layout.rangeFlagsOffset]
        guard flags & ~(Layout.rangeStartFlag | Layout.rangeStopFlag) == 0 else { throw .invalidCursorFlags(flags) }
        guard bytes[Layout.rangeReservedOffset] == 0 else { throw .reservedBitsSet(bytes[Layout.rangeReservedOffset]) }
        let keyLength = Int(bytes.unsafeLoadBigEndian(at: Layout.rangeKeyLengthOffset, as: UInt16.self))
        let startLength = Int(bytes.unsafeLoadBigEndian(at: Layout.rangeStartLengthOffset, as: UInt16.self))
        let stopLength = Int(bytes.unsafeLoadBigEndian(at: Layout.rangeStopLengthOffset, as: UInt16.self))
        var left = bytes.count - Layout.rangeFixedSize
        try Layout.checkRoom(.key, length: keyLength, available: left)
        left -= keyLength
        try Layout.checkRoom(.start, length: startLength, available: left)
        left -= startLength
        try Layout.checkRoom(.stop, length: stopLength, available: left)
        left -= stopLength
        guard left == 0 else { throw .trailingBytes(count: left) }
        let startAt = Layout.rangeFixedSize + keyLength
        let start = try Self.cursor(
            bytes, present: flags & Layout.rangeStartFlag != 0, scoreAt: Layout.rangeStartScoreOffset,
            memberAt: startAt, length: startLength, .start)
        let stop = try Self.cursor(
            bytes, present: flags & Layout.rangeStopFlag != 0, scoreAt: Layout.rangeStopScoreOffset,
            memberAt: startAt + startLength, length: stopLength, .stop)
        self.init(
            operation: .range, key: bytes.unsafeSlice(at: Layout.rangeFixedSize, count: keyLength),
            limit: bytes.unsafeLoadBigEndian(at: Layout.rangeLimitOffset), start: start, stop: stop)
    }

    /// A range's cursor `field` (lengths already checked): nil when absent, which requires a
    /// zero score and member length; otherwise its score must be finite.
    @inlinable @inline(__always)
    static func cursor(
        _ bytes: UnsafeRawBufferPointer, present: Bool, scoreAt: Int, memberAt: Int, length: Int, _ field: TimelineField
    ) throws(TimelineCodecError) -> TimelineCursor? {
        let bits = bytes.unsafeLoadBigEndian(at: scoreAt, as: UInt64.self)
        guard present else {
            guard bits == 0, length == 0 else { throw .absentCursorNotZero(field: field) }
            return nil
        }
        let score = Double(bitPattern: bits)
        try TimelineBinaryLayout.checkScore(score)
        return TimelineCursor(score: score, member: bytes.unsafeSlice(at: memberAt, count: length))
    }
}

extension TimelineRequest: FrameEncodable {
    /// The size of the request in the binary layout.
    @inlinable @inline(__always)
    public var encodedByteCount: Int {
        switch operation {
        case .insert, .delete: TimelineSingleWrite.encodedByteCount(keyCount: unsafeKey.count, memberCount: unsafeMember.count)
        case .select: TimelineBinaryLayout.selectFixedSize + unsafeKey.count
        case .tail: TimelineBinaryLayout.tailFixedSize + unsafeKey.count
        case .insertBatch, .deleteBatch: TimelineBinaryLayout.batchFixedSize + writes.entries.count
        case .selectKeys: TimelineBinaryLayout.keysFixedSize + keys.entries.count
        case .range:
            TimelineBinaryLayout.rangeFixedSize + unsafeKey.count + (start?.unsafeMember.count ?? 0) + (stop?.unsafeMember.count ?? 0)
        }
    }

    /// Writes the request in the binary layout.
    @inlinable @inline(__always)
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        typealias Layout = TimelineBinaryLayout
        buffer[Layout.operationOffset] = operation.rawValue
        buffer[Layout.reservedOffset] = 0
        switch operation {
        case .insert, .delete:
            TimelineSingleWrite.unsafeEncodeFields(key: unsafeKey, score: score, member: unsafeMember, into: buffer)
        case .select:
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: unsafeKey.count), at: Layout.keyLengthOffset)
            buffer.unsafeStoreBigEndian(offset, at: Layout.selectOffsetOffset)
            buffer.unsafeStoreBigEndian(limit, at: Layout.selectLimitOffset)
            buffer.unsafeCopy(unsafeKey, at: Layout.selectFixedSize)
        case .tail:
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: unsafeKey.count), at: Layout.keyLengthOffset)
            buffer.unsafeCopy(unsafeKey, at: Layout.tailFixedSize)
        case .insertBatch, .deleteBatch:
            buffer.unsafeStoreBigEndian(UInt32(truncatingIfNeeded: writes.count), at: Layout.batchCountOffset)
            buffer.unsafeCopy(writes.entries, at: Layout.batchFixedSize)
        case .selectKeys:
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: keys.count), at: Layout.keysCountOffset)
            buffer.unsafeStoreBigEndian(offset, at: Layout.selectOffsetOffset)
            buffer.unsafeStoreBigEndian(limit, at: Layout.selectLimitOffset)
            buffer.unsafeCopy(keys.entries, at: Layout.keysFixedSize)
        case .range:
            unsafeEncodeRange(into: buffer)
        }
    }
}

extension TimelineRequest {
    /// Writes a range's fields after its two leading bytes.
    @inlinable
    func unsafeEncodeRange(into buffer: UnsafeMutableRawBufferPointer) {
        typealias Layout = TimelineBinaryLayout
        let startMember = start?.unsafeMember ?? .empty
        let stopMember = stop?.unsafeMember ?? .empty
        buffer.unsafeStoreBigEndianDouble(start?.score ?? 0, at: Layout.rangeStartScoreOffset)
        buffer.unsafeStoreBigEndianDouble(stop?.score ?? 0, at: Layout.rangeStopScoreOffset)
        buffer.unsafeStoreBigEndian(limit, at: Layout.rangeLimitOffset)
        buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: unsafeKey.count), at: Layout.rangeKeyLengthOffset)
        buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: startMember.count), at: Layout.rangeStartLengthOffset)
        buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: stopMember.count), at: Layout.rangeStopLengthOffset)
        buffer[Layout.rangeFlagsOffset] = (start == nil ? 0 : Layout.rangeStartFlag) | (stop == nil ? 0 : Layout.rangeStopFlag)
        buffer[Layout.rangeReservedOffset] = 0
        buffer.unsafeCopy(unsafeKey, at: Layout.rangeFixedSize)
        buffer.unsafeCopy(startMember, at: Layout.rangeFixedSize + unsafeKey.count)
        buffer.unsafeCopy(stopMember, at: Layout.rangeFixedSize + unsafeKey.count + startMember.count)
    }
}
