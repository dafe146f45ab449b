/// The code of an ERROR frame (RSocket 1.0, "Error Codes").
@frozen
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The u32 code.
    public let rawValue: UInt32

    /// Wraps a code; codes the spec does not name are kept as they are.
    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The SETUP frame is invalid for the server (stream 0).
    @inlinable public static var invalidSetup: ErrorCode { ErrorCode(rawValue: 0x0000_0001) }
    /// Some SETUP parameters are not supported (stream 0).
    @inlinable public static var unsupportedSetup: ErrorCode { ErrorCode(rawValue: 0x0000_0002) }
    /// The server rejected the SETUP (stream 0).
    @inlinable public static var rejectedSetup: ErrorCode { ErrorCode(rawValue: 0x0000_0003) }
    /// The server rejected the RESUME (stream 0).
    @inlinable public static var rejectedResume: ErrorCode { ErrorCode(rawValue: 0x0000_0004) }
    /// The connection is being terminated (stream 0).
    @inlinable public static var connectionError: ErrorCode { ErrorCode(rawValue: 0x0000_0101) }
    /// The connection is being closed cleanly (stream 0).
    @inlinable public static var connectionClose: ErrorCode { ErrorCode(rawValue: 0x0000_0102) }
    /// The application failed the request (a request stream).
    @inlinable public static var applicationError: ErrorCode { ErrorCode(rawValue: 0x0000_0201) }
    /// The responder rejected the request without processing it (a request stream).
    @inlinable public static var rejected: ErrorCode { ErrorCode(rawValue: 0x0000_0202) }
    /// The responder canceled the request after it began (a request stream).
    @inlinable public static var canceled: ErrorCode { ErrorCode(rawValue: 0x0000_0203) }
    /// The request is invalid (a request stream).
    @inlinable public static var invalid: ErrorCode { ErrorCode(rawValue: 0x0000_0204) }

    /// The spec's name (`APPLICATION_ERROR`), or the code in hex.
    public var description: String {
        switch self {
        case .invalidSetup: "INVALID_SETUP"
        case .unsupportedSetup: "UNSUPPORTED_SETUP"
        case .rejectedSetup: "REJECTED_SETUP"
        case .rejectedResume: "REJECTED_RESUME"
        case .connectionError: "CONNECTION_ERROR"
        case .connectionClose: "CONNECTION_CLOSE"
        case .applicationError: "APPLICATION_ERROR"
        case .rejected: "REJECTED"
        case .canceled: "CANCELED"
        case .invalid: "INVALID"
        default: "0x" + String(rawValue, radix: 16)
        }
    }
}

extension FrameWriter {
    /// Appends an ERROR frame: `code` and a UTF-8 `reason` (the frame's data), on a request
    /// stream or on stream 0 for the connection.
    @inlinable
    public mutating func writeError<Reason: FrameEncodable>(streamID: UInt32, code: ErrorCode, reason: Reason) throws(FrameError) {
        try writeFrame(FrameHeader(streamID: streamID, type: .error), fieldsByteCount: 4, metadata: nil, data: reason) {
            $0.unsafeStoreBigEndian(code.rawValue, at: 0)
        }
    }
}
