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
}

/// A timeline request, or a tail stream's event, in the binary layout
/// `application/x.ringside.v1`: a flyweight whose key and member are byte views.
///
/// Decoded with `init(decoding:)`, the views point into the frame's buffer (no copy, no
/// allocation); built with `insert`, `delete`, `select` or `tail`, they point at the caller's
/// bytes and the request is written in place by a `FrameWriter` (it is `FrameEncodable`).
/// Either way the request is valid: key and member fit a u16 length, the score is finite.
///
/// ```swift
/// let request = try TimelineRequest(decoding: frame.data)
/// if request.operation == .insert { set.insert(request.key, request.score, request.member) }
/// ```
@frozen
public struct TimelineRequest {
    /// The operation.
    public let operation: TimelineOperation
    /// The key's bytes.
    public let key: UnsafeRawBufferPointer
    /// The member's bytes (insert and delete; empty otherwise).
    public let member: UnsafeRawBufferPointer
    /// The score (insert and delete; 0 otherwise).
    public let score: Double
    /// The number of entries to skip (select; 0 otherwise).
    public let offset: UInt32
    /// The most entries to return (select; 0 otherwise).
    public let limit: UInt32

    @inlinable
    init(
        operation: TimelineOperation, key: UnsafeRawBufferPointer, member: UnsafeRawBufferPointer = .empty,
        score: Double = 0, offset: UInt32 = 0, limit: UInt32 = 0
    ) {
        self.operation = operation
        self.key = key
        self.member = member
        self.score = score
        self.offset = offset
        self.limit = limit
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
            try Layout.checkFixedPart(bytes, fixedSize: Layout.eventFixedSize)
            let keyLength = Int(bytes.unsafeLoadBigEndian(at: Layout.eventKeyLengthOffset, as: UInt16.self))
            let memberLength = Int(bytes.unsafeLoadBigEndian(at: Layout.eventMemberLengthOffset, as: UInt16.self))
            try Layout.checkVariablePart(bytes, fixedSize: Layout.eventFixedSize, keyLength: keyLength, memberLength: memberLength)
            let score = bytes.unsafeLoadBigEndianDouble(at: Layout.eventScoreOffset)
            try Layout.checkScore(score)
            self.init(
                operation: code == TimelineOperation.insert.rawValue ? .insert : .delete,
                key: bytes.unsafeSlice(at: Layout.eventFixedSize, count: keyLength),
                member: bytes.unsafeSlice(at: Layout.eventFixedSize + keyLength, count: memberLength), score: score)
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
        case nil:
            throw .unknownOperation(code)
        }
    }
}

extension TimelineRequest: FrameEncodable {
    /// The size of the request in the binary layout.
    @inlinable @inline(__always)
    public var encodedByteCount: Int {
        switch operation {
        case .insert, .delete: TimelineBinaryLayout.eventFixedSize + key.count + member.count
        case .select: TimelineBinaryLayout.selectFixedSize + key.count
        case .tail: TimelineBinaryLayout.tailFixedSize + key.count
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
            buffer.unsafeStoreBigEndianDouble(score, at: Layout.eventScoreOffset)
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: key.count), at: Layout.eventKeyLengthOffset)
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: member.count), at: Layout.eventMemberLengthOffset)
            buffer.unsafeCopy(key, at: Layout.eventFixedSize)
            buffer.unsafeCopy(member, at: Layout.eventFixedSize + key.count)
        case .select:
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: key.count), at: Layout.keyLengthOffset)
            buffer.unsafeStoreBigEndian(offset, at: Layout.selectOffsetOffset)
            buffer.unsafeStoreBigEndian(limit, at: Layout.selectLimitOffset)
            buffer.unsafeCopy(key, at: Layout.selectFixedSize)
        case .tail:
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: key.count), at: Layout.keyLengthOffset)
            buffer.unsafeCopy(key, at: Layout.tailFixedSize)
        }
    }
}
