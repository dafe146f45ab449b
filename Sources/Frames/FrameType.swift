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
    public static let setup = FrameType(rawValue: 0x01)
    /// LEASE (0x02): grants the peer a number of requests for a time.
    public static let lease = FrameType(rawValue: 0x02)
    /// KEEPALIVE (0x03): connection liveness, with the last received resume position.
    public static let keepalive = FrameType(rawValue: 0x03)
    /// REQUEST_RESPONSE (0x04): a request for exactly one response.
    public static let requestResponse = FrameType(rawValue: 0x04)
    /// REQUEST_FNF (0x05): fire and forget, no response.
    public static let requestFireAndForget = FrameType(rawValue: 0x05)
    /// REQUEST_STREAM (0x06): a request for a stream, with an initial demand.
    public static let requestStream = FrameType(rawValue: 0x06)
    /// REQUEST_CHANNEL (0x07): a bidirectional stream, with an initial demand.
    public static let requestChannel = FrameType(rawValue: 0x07)
    /// REQUEST_N (0x08): more demand on a stream or channel.
    public static let requestN = FrameType(rawValue: 0x08)
    /// CANCEL (0x09): the requester cancels a stream.
    public static let cancel = FrameType(rawValue: 0x09)
    /// PAYLOAD (0x0A): a payload on a stream (next, complete, fragment).
    public static let payload = FrameType(rawValue: 0x0A)
    /// ERROR (0x0B): an error on a stream, or on the connection (stream 0).
    public static let error = FrameType(rawValue: 0x0B)
    /// METADATA_PUSH (0x0C): connection-level metadata.
    public static let metadataPush = FrameType(rawValue: 0x0C)
    /// RESUME (0x0D): the client asks to resume a session.
    public static let resume = FrameType(rawValue: 0x0D)
    /// RESUME_OK (0x0E): the server accepts a resumption.
    public static let resumeOK = FrameType(rawValue: 0x0E)
    /// EXT (0x3F): an extension frame carrying an extended type.
    public static let ext = FrameType(rawValue: 0x3F)

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

    /// The flags this type defines, including I (ignore); any other bit is reserved.
    /// Nil for a type this module does not know. (Unions rather than array literals: an
    /// array literal allocates in an unoptimised build.)
    @inlinable
    public var definedFlags: FrameFlags? {
        switch self {
        case .setup: FrameFlags.ignore.union(.metadata).union(.resumeEnable).union(.lease)
        case .lease, .metadataPush, .ext: FrameFlags.ignore.union(.metadata)
        case .keepalive: FrameFlags.ignore.union(.respond)
        case .requestResponse, .requestFireAndForget, .requestStream: FrameFlags.ignore.union(.metadata).union(.follows)
        case .requestChannel: FrameFlags.ignore.union(.metadata).union(.follows).union(.complete)
        case .payload: FrameFlags.ignore.union(.metadata).union(.follows).union(.complete).union(.next)
        case .requestN, .cancel, .error, .resume, .resumeOK: FrameFlags.ignore
        default: nil
        }
    }

    /// The stream ids this type may use. Unknown types may use any.
    @inlinable
    public var streamRule: StreamRule {
        switch self {
        case .setup, .lease, .keepalive, .metadataPush, .resume, .resumeOK: .connection
        case .requestResponse, .requestFireAndForget, .requestStream, .requestChannel,
             .requestN, .cancel, .payload: .request
        default: .any
        }
    }
}
