/// Why a timeline message could not be read or written, in either encoding.
public enum TimelineCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message ends inside its fixed part: the operation needs `needed` bytes,
    /// `available` are present.
    case truncated(needed: Int, available: Int)
    /// A length field counts `length` bytes but only `available` follow.
    case lengthBeyondEnd(field: TimelineField, length: Int, available: Int)
    /// Bytes after the last field of the message.
    case trailingBytes(count: Int)
    /// An operation byte this layout does not define (or a response where a request is
    /// expected, and the other way round).
    case unknownOperation(UInt8)
    /// The reserved byte after the operation is not zero.
    case reservedBitsSet(UInt8)
    /// A score that is NaN or infinite, by its bit pattern.
    case nonFiniteScore(bitPattern: UInt64)
    /// A range's cursor flags have bits other than start (`0x01`) and stop (`0x02`).
    case invalidCursorFlags(UInt8)
    /// A range's flags say the cursor `field` (`.start` or `.stop`) is absent, yet its score
    /// or member length is not zero.
    case absentCursorNotZero(field: TimelineField)
    /// Writing: a key or member longer than 65,535 bytes, or too many records.
    case valueOutOfRange(field: TimelineField, value: Int)
    /// Writing: the message needs `needed` bytes, the buffer has `available`.
    case bufferTooSmall(needed: Int, available: Int)
    /// A key or member that is not UTF-8 cannot be carried in JSON.
    case invalidUTF8(field: TimelineField)
    /// The JSON is malformed or does not have the fields the operation needs.
    case invalidJSON(String)

    /// One line for a log or an ERROR frame's reason.
    public var description: String {
        switch self {
        case let .truncated(needed, available):
            "timeline message truncated: needs \(needed) bytes, \(available) present"
        case let .lengthBeyondEnd(field, length, available):
            "\(field) length \(length) runs past the end of the message (\(available) bytes left)"
        case let .trailingBytes(count):
            "\(count) unexpected bytes after the timeline message"
        case let .unknownOperation(op):
            "unknown timeline operation 0x" + String(op, radix: 16)
        case let .reservedBitsSet(byte):
            "reserved byte is 0x" + String(byte, radix: 16) + ", not 0"
        case let .nonFiniteScore(bits):
            "score \(Double(bitPattern: bits)) is not finite"
        case let .invalidCursorFlags(flags):
            "range flags 0x" + String(flags, radix: 16) + " set bits other than start (0x1) and stop (0x2)"
        case let .absentCursorNotZero(field):
            "\(field) cursor is absent by the flags, yet its score or member length is not zero"
        case let .valueOutOfRange(field, value):
            "\(field) of \(value) does not fit the layout"
        case let .bufferTooSmall(needed, available):
            "timeline message needs \(needed) bytes, buffer has \(available)"
        case let .invalidUTF8(field):
            "\(field) is not UTF-8, so it cannot be sent as JSON"
        case let .invalidJSON(reason):
            "invalid JSON timeline message: \(reason)"
        }
    }
}

/// The field of a timeline message an error is about.
public enum TimelineField: String, Hashable, Sendable, CustomStringConvertible {
    /// The key.
    case key
    /// The member.
    case member
    /// The record list of a select response.
    case records
    /// The writes of an insert or delete batch.
    case writes
    /// The key list of a select of several keys.
    case keys
    /// A range's start cursor.
    case start
    /// A range's stop cursor.
    case stop
    /// The per-key results of a select of several keys.
    case results

    /// The field's name.
    public var description: String { rawValue }
}
