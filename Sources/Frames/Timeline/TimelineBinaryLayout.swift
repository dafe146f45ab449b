/// The binary layout `application/x.ringside.v1`: operation codes, offsets and fixed sizes,
/// kept in one place. All integers are big-endian; a score is an IEEE 754 binary64 sent as
/// its big-endian bit pattern. The DocC article "Binary layout" draws the byte tables.
@usableFromInline
enum TimelineBinaryLayout {
    /// Byte 0: the operation; byte 1: reserved, zero.
    @inlinable static var operationOffset: Int { 0 }
    @inlinable static var reservedOffset: Int { 1 }

    /// insert and delete: score at 2, key length at 10, member length at 12, key at 14,
    /// member after the key. Score is 8-aligned when the message follows a bare 6-byte header
    /// at an 8-aligned address.
    @inlinable static var eventScoreOffset: Int { 2 }
    @inlinable static var eventKeyLengthOffset: Int { 10 }
    @inlinable static var eventMemberLengthOffset: Int { 12 }
    @inlinable static var eventFixedSize: Int { 14 }

    /// select: key length at 2, offset at 4, limit at 8, key at 12.
    @inlinable static var keyLengthOffset: Int { 2 }
    @inlinable static var selectOffsetOffset: Int { 4 }
    @inlinable static var selectLimitOffset: Int { 8 }
    @inlinable static var selectFixedSize: Int { 12 }

    /// tail: key length at 2, key at 4.
    @inlinable static var tailFixedSize: Int { 4 }

    /// insert batch and delete batch: write count (u32) at 2, then the writes. Each write:
    /// score at 0, key length at 8, member length at 10, key at 12, member after the key.
    @inlinable static var batchCountOffset: Int { 2 }
    @inlinable static var batchFixedSize: Int { 6 }
    @inlinable static var writeKeyLengthOffset: Int { 8 }
    @inlinable static var writeMemberLengthOffset: Int { 10 }
    @inlinable static var writeFixedSize: Int { 12 }

    /// select of several keys: key count (u16) at 2, offset at 4, limit at 8, then the keys,
    /// each a u16 length and its bytes.
    @inlinable static var keysCountOffset: Int { 2 }
    @inlinable static var keysFixedSize: Int { 12 }
    @inlinable static var keyEntryFixedSize: Int { 2 }

    /// range: start score at 2, stop score at 10, limit at 18, key length at 22, start member
    /// length at 24, stop member length at 26, cursor flags at 28, reserved at 29, then key,
    /// start member, stop member.
    @inlinable static var rangeStartScoreOffset: Int { 2 }
    @inlinable static var rangeStopScoreOffset: Int { 10 }
    @inlinable static var rangeLimitOffset: Int { 18 }
    @inlinable static var rangeKeyLengthOffset: Int { 22 }
    @inlinable static var rangeStartLengthOffset: Int { 24 }
    @inlinable static var rangeStopLengthOffset: Int { 26 }
    @inlinable static var rangeFlagsOffset: Int { 28 }
    @inlinable static var rangeReservedOffset: Int { 29 }
    @inlinable static var rangeFixedSize: Int { 30 }
    /// The range flags: which cursors are present.
    @inlinable static var rangeStartFlag: UInt8 { 0x01 }
    @inlinable static var rangeStopFlag: UInt8 { 0x02 }

    /// ok: the two leading bytes only.
    @inlinable static var okSize: Int { 2 }

    /// records: count (u32) at 2, then `count` records.
    @inlinable static var recordsCountOffset: Int { 2 }
    @inlinable static var recordsFixedSize: Int { 6 }

    /// One record: score at 0, member length at 8, member at 10.
    @inlinable static var recordMemberLengthOffset: Int { 8 }
    @inlinable static var recordFixedSize: Int { 10 }

    /// results: key count (u16) at 2, then per key: key length (u16), key, record count
    /// (u32), records.
    @inlinable static var resultsCountOffset: Int { 2 }
    @inlinable static var resultsFixedSize: Int { 4 }
    @inlinable static var resultKeyFixedSize: Int { 2 }
    @inlinable static var resultRecordsCountSize: Int { 4 }

    /// The response operation codes.
    @inlinable static var okOperation: UInt8 { 0x81 }
    @inlinable static var recordsOperation: UInt8 { 0x82 }
    @inlinable static var resultsOperation: UInt8 { 0x83 }

    /// The largest key or member (u16 length).
    @inlinable static var maxFieldLength: Int { Int(UInt16.max) }
    /// The most keys in one select or results message (u16 count).
    @inlinable static var maxKeyCount: Int { Int(UInt16.max) }
    /// The most writes in a batch or records in a list (u32 count).
    @inlinable static var maxItemCount: Int { Int(UInt32.max) }

    /// Checks the two leading bytes: at least two present and the reserved byte zero.
    /// Returns the operation byte. Inlined: left out of line, its call cost a server's
    /// fast path of a one-write message (``TimelineSingleWrite``) some 20 instructions.
    @inlinable @inline(__always)
    static func readOperation(_ bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) -> UInt8 {
        guard bytes.count >= 2 else { throw .truncated(needed: 2, available: bytes.count) }
        guard bytes[reservedOffset] == 0 else { throw .reservedBitsSet(bytes[reservedOffset]) }
        return bytes[operationOffset]
    }

    /// Checks the fixed part of a message (`fixedSize` bytes) is present.
    @inlinable
    static func checkFixedPart(_ bytes: UnsafeRawBufferPointer, fixedSize: Int) throws(TimelineCodecError) {
        guard bytes.count >= fixedSize else { throw .truncated(needed: fixedSize, available: bytes.count) }
    }

    /// Checks that after the fixed part (already checked), a key of `keyLength` bytes and a
    /// member of `memberLength` bytes end exactly at the end of `bytes`.
    @inlinable
    static func checkVariablePart(
        _ bytes: UnsafeRawBufferPointer, fixedSize: Int, keyLength: Int, memberLength: Int = 0
    ) throws(TimelineCodecError) {
        let afterFixed = bytes.count - fixedSize
        guard afterFixed >= keyLength else { throw .lengthBeyondEnd(field: .key, length: keyLength, available: afterFixed) }
        let afterKey = afterFixed - keyLength
        guard afterKey >= memberLength else {
            throw .lengthBeyondEnd(field: .member, length: memberLength, available: afterKey)
        }
        guard afterKey == memberLength else { throw .trailingBytes(count: afterKey - memberLength) }
    }

    /// Checks that `field`, `length` bytes long, fits in the `available` bytes left.
    @inlinable @inline(__always)
    static func checkRoom(_ field: TimelineField, length: Int, available: Int) throws(TimelineCodecError) {
        guard available >= length else { throw .lengthBeyondEnd(field: field, length: length, available: available) }
    }

    /// Writes one record (score, member length, member) at `offset` of `buffer`, checking
    /// the member's length, the score and the room first; returns the bytes written.
    @inlinable
    static func storeRecord(
        member: UnsafeRawBufferPointer, score: Double, in buffer: UnsafeMutableRawBufferPointer, at offset: Int
    ) throws(TimelineCodecError) -> Int {
        try checkLength(member, .member)
        try checkScore(score)
        let size = recordFixedSize + member.count
        guard buffer.count - offset >= size else { throw .bufferTooSmall(needed: size, available: buffer.count - offset) }
        buffer.unsafeStoreBigEndianDouble(score, at: offset)
        buffer.unsafeStoreBigEndian(UInt16(member.count), at: offset + recordMemberLengthOffset)
        buffer.unsafeCopy(member, at: offset + recordFixedSize)
        return size
    }

    /// Rejects NaN and infinities.
    @inlinable @inline(__always)
    static func checkScore(_ score: Double) throws(TimelineCodecError) {
        guard score.isFinite else { throw .nonFiniteScore(bitPattern: score.bitPattern) }
    }

    /// Rejects a key or member too long for its u16 length.
    @inlinable @inline(__always)
    static func checkLength(_ bytes: UnsafeRawBufferPointer, _ field: TimelineField) throws(TimelineCodecError) {
        guard bytes.count <= maxFieldLength else { throw .valueOutOfRange(field: field, value: bytes.count) }
    }
}
