/// Why a frame could not be read or written: every way untrusted bytes can be wrong has its
/// own case, with the field and the sizes involved, so that a peer can be told precisely.
public enum FrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The frame ends inside a fixed-size field: `needed` bytes from the field's start, only
    /// `available` left.
    case truncated(field: FrameField, needed: Int, available: Int)
    /// A length field counts `length` bytes but only `available` follow it.
    case lengthBeyondEnd(field: FrameField, length: Int, available: Int)
    /// A bit that RSocket reserves is set (the top bit of a stream id, of a 31-bit or 63-bit
    /// field, or a flag the frame type does not define).
    case reservedBitSet(field: FrameField)
    /// A frame type this reader does not know, without the I (ignore) flag.
    case unknownType(FrameType)
    /// A field that must be positive is zero (REQUEST_N, initial N, keepalive interval, ...).
    case zeroValue(field: FrameField)
    /// The frame is on a stream its type may not use (SETUP off stream 0, PAYLOAD on it, ...).
    case invalidStreamID(type: FrameType, streamID: UInt32)
    /// A flag combination the spec forbids: PAYLOAD with neither C nor N, METADATA_PUSH
    /// without M.
    case invalidFlags(type: FrameType, flags: FrameFlags)
    /// Bytes after the last field of a frame type that carries no data.
    case trailingBytes(type: FrameType, count: Int)
    /// A length prefix on TCP announces a frame shorter than its 6-byte header.
    case frameTooShort(length: Int)
    /// Writing: the frame needs `needed` bytes but the buffer has `available` left.
    case bufferTooSmall(needed: Int, available: Int)
    /// Writing: `value` does not fit its field (a stream id or interval above 2^31-1, a
    /// metadata or frame length above 2^24-1, a MIME type longer than 255 bytes, ...).
    case valueOutOfRange(field: FrameField, value: Int)

    /// One line for a log or an ERROR frame's reason.
    public var description: String {
        switch self {
        case let .truncated(field, needed, available):
            "frame truncated in \(field): needs \(needed) bytes, \(available) present"
        case let .lengthBeyondEnd(field, length, available):
            "\(field) length \(length) runs past the end of the frame (\(available) bytes present)"
        case let .reservedBitSet(field):
            "reserved bit set in \(field)"
        case let .unknownType(type):
            "unknown frame type \(type) without the I flag"
        case let .zeroValue(field):
            "\(field) must be positive, got 0"
        case let .invalidStreamID(type, streamID):
            "\(type) may not use stream \(streamID)"
        case let .invalidFlags(type, flags):
            "\(type) may not have flags \(flags)"
        case let .trailingBytes(type, count):
            "\(count) unexpected bytes after the fields of \(type)"
        case let .frameTooShort(length):
            "length prefix \(length) is shorter than a frame header"
        case let .bufferTooSmall(needed, available):
            "frame needs \(needed) bytes, buffer has \(available)"
        case let .valueOutOfRange(field, value):
            "\(value) does not fit in \(field)"
        }
    }
}

/// The field of a frame an error is about.
public enum FrameField: String, Hashable, Sendable, CustomStringConvertible {
    /// The 6-byte header as a whole.
    case header
    /// The u32 stream id.
    case streamID = "stream id"
    /// The 10 flag bits of the header.
    case flags
    /// The u24 length prefix used on TCP, or a whole frame's size when writing.
    case frameLength = "frame length"
    /// SETUP and RESUME: major and minor version.
    case version
    /// SETUP: time between KEEPALIVE frames.
    case keepaliveInterval = "keepalive interval"
    /// SETUP: max lifetime.
    case maxLifetime = "max lifetime"
    /// SETUP and RESUME: the resume identification token (its u16 length and bytes).
    case resumeToken = "resume token"
    /// SETUP: the metadata MIME type (its u8 length and bytes).
    case metadataMIMEType = "metadata MIME type"
    /// SETUP: the data MIME type (its u8 length and bytes).
    case dataMIMEType = "data MIME type"
    /// The u24 metadata length and the metadata it counts.
    case metadata
    /// LEASE: time-to-live.
    case timeToLive = "time-to-live"
    /// LEASE: number of requests.
    case numberOfRequests = "number of requests"
    /// KEEPALIVE: last received position.
    case lastReceivedPosition = "last received position"
    /// REQUEST_STREAM and REQUEST_CHANNEL: initial request N.
    case initialRequestN = "initial request N"
    /// REQUEST_N: request N.
    case requestN = "request N"
    /// ERROR: error code.
    case errorCode = "error code"
    /// RESUME: last received server position.
    case lastReceivedServerPosition = "last received server position"
    /// RESUME: first available client position.
    case firstAvailableClientPosition = "first available client position"
    /// RESUME_OK: last received client position.
    case lastReceivedClientPosition = "last received client position"
    /// EXT: extended type.
    case extendedType = "extended type"

    /// The spec's wording for the field.
    public var description: String { rawValue }
}
