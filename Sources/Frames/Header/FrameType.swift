/// The 6-bit frame type of an RSocket 1.0 frame header.
///
/// A struct rather than an enum so that a type this module does not know (which a peer may
/// send with the I flag, asking to have it ignored) can still be named and reported.
@frozen
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 6-bit value from the header (`type << 10 | flags`).
    public let rawValue: UInt8

    /// Wraps a raw type value; only the low 6 bits can appear in a header.
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// SETUP (0x01): sent by the client to begin a connection.
    @inlinable public static var setup: FrameType { FrameType(rawValue: 0x01) }
    /// LEASE (0x02): grants the peer a number of requests for a time.
    @inlinable public static var lease: FrameType { FrameType(rawValue: 0x02) }
    /// KEEPALIVE (0x03): connection liveness, with the last received resume position.
    @inlinable public static var keepalive: FrameType { FrameType(rawValue: 0x03) }
    /// REQUEST_RESPONSE (0x04): a request for exactly one response.
    @inlinable public static var requestResponse: FrameType { FrameType(rawValue: 0x04) }
    /// REQUEST_FNF (0x05): fire and forget, no response.
    @inlinable public static var requestFireAndForget: FrameType { FrameType(rawValue: 0x05) }
    /// REQUEST_STREAM (0x06): a request for a stream, with an initial demand.
    @inlinable public static var requestStream: FrameType { FrameType(rawValue: 0x06) }
    /// REQUEST_CHANNEL (0x07): a bidirectional stream, with an initial demand.
    @inlinable public static var requestChannel: FrameType { FrameType(rawValue: 0x07) }
    /// REQUEST_N (0x08): more demand on a stream or channel.
    @inlinable public static var requestN: FrameType { FrameType(rawValue: 0x08) }
    /// CANCEL (0x09): the requester cancels a stream.
    @inlinable public static var cancel: FrameType { FrameType(rawValue: 0x09) }
    /// PAYLOAD (0x0A): a payload on a stream (next, complete, fragment).
    @inlinable public static var payload: FrameType { FrameType(rawValue: 0x0A) }
    /// ERROR (0x0B): an error on a stream, or on the connection (stream 0).
    @inlinable public static var error: FrameType { FrameType(rawValue: 0x0B) }
    /// METADATA_PUSH (0x0C): connection-level metadata.
    @inlinable public static var metadataPush: FrameType { FrameType(rawValue: 0x0C) }
    /// RESUME (0x0D): the client asks to resume a session.
    @inlinable public static var resume: FrameType { FrameType(rawValue: 0x0D) }
    /// RESUME_OK (0x0E): the server accepts a resumption.
    @inlinable public static var resumeOK: FrameType { FrameType(rawValue: 0x0E) }
    /// EXT (0x3F): an extension frame carrying an extended type.
    @inlinable public static var ext: FrameType { FrameType(rawValue: 0x3F) }

    /// The spec's name for the type (`REQUEST_FNF`), or `UNKNOWN(0xNN)`.
    public var description: String {
        switch self {
        case .setup: "SETUP"
        case .lease: "LEASE"
        case .keepalive: "KEEPALIVE"
        case .requestResponse: "REQUEST_RESPONSE"
        case .requestFireAndForget: "REQUEST_FNF"
        case .requestStream: "REQUEST_STREAM"
        case .requestChannel: "REQUEST_CHANNEL"
        case .requestN: "REQUEST_N"
        case .cancel: "CANCEL"
        case .payload: "PAYLOAD"
        case .error: "ERROR"
        case .metadataPush: "METADATA_PUSH"
        case .resume: "RESUME"
        case .resumeOK: "RESUME_OK"
        case .ext: "EXT"
        default: "UNKNOWN(0x" + String(rawValue, radix: 16) + ")"
        }
    }
}

extension FrameType {
    /// Which stream ids a frame type may travel on.
    public enum StreamRule: Sendable {
        /// Only stream 0, the connection.
        case connection
        /// Only a request stream (non-zero id).
        case request
        /// Either (ERROR, EXT).
        case any
    }

    /// What follows a frame type's own fields.
    @usableFromInline
    enum PayloadShape {
        /// With M: a u24 metadata length and the metadata; then data to the end.
        case metadataAndData
        /// With M: metadata to the end, without a length (LEASE, METADATA_PUSH).
        case metadataOnly
        /// Data to the end (KEEPALIVE, ERROR's reason, an ignored frame).
        case dataOnly
        /// Nothing: the frame ends with its fields (REQUEST_N, CANCEL, RESUME, RESUME_OK).
        case none
    }

    /// Everything the reader checks per type, from one switch.
    @frozen @usableFromInline
    struct Traits {
        /// The flags the type defines, I included; nil for an unknown type.
        @usableFromInline let definedFlags: FrameFlags?
        @usableFromInline let streamRule: StreamRule
        @usableFromInline let payloadShape: PayloadShape

        @inlinable @inline(__always)
        init(_ definedFlags: FrameFlags?, _ streamRule: StreamRule, _ payloadShape: PayloadShape) {
            self.definedFlags = definedFlags
            self.streamRule = streamRule
            self.payloadShape = payloadShape
        }
    }

    /// This type's flags, stream rule and payload shape. (Flag unions rather than array
    /// literals: an array literal allocates in an unoptimised build.)
    @inlinable @inline(__always)
    var traits: Traits {
        let request = FrameFlags.ignore.union(.metadata).union(.follows)
        switch self {
        case .requestFireAndForget, .requestResponse, .requestStream: return Traits(request, .request, .metadataAndData)
        case .payload: return Traits(request.union(.complete).union(.next), .request, .metadataAndData)
        case .requestChannel: return Traits(request.union(.complete), .request, .metadataAndData)
        case .requestN, .cancel: return Traits(.ignore, .request, .none)
        case .error: return Traits(.ignore, .any, .dataOnly)
        case .keepalive: return Traits(FrameFlags.ignore.union(.respond), .connection, .dataOnly)
        case .setup:
            return Traits(FrameFlags.ignore.union(.metadata).union(.resumeEnable).union(.lease), .connection, .metadataAndData)
        case .lease, .metadataPush: return Traits(FrameFlags.ignore.union(.metadata), .connection, .metadataOnly)
        case .resume, .resumeOK: return Traits(.ignore, .connection, .none)
        case .ext: return Traits(FrameFlags.ignore.union(.metadata), .any, .metadataAndData)
        default: return Traits(nil, .any, .dataOnly)
        }
    }

    /// The flags this type defines, including I (ignore); any other bit is reserved.
    /// Nil for a type this module does not know.
    @inlinable @inline(__always)
    public var definedFlags: FrameFlags? { traits.definedFlags }

    /// The stream ids this type may use. Unknown types may use any.
    @inlinable @inline(__always)
    public var streamRule: StreamRule { traits.streamRule }

    /// What follows this type's own fields.
    @inlinable @inline(__always)
    var payloadShape: PayloadShape { traits.payloadShape }
}
