import Frames

/// A SETUP the session found acceptable at the protocol level (version 1.0, no resume, no
/// lease), handed to the responder to accept or refuse. Byte fields are views into the frame,
/// valid during the call.
public struct SetupRequest {
    /// The interval at which the client promises KEEPALIVE frames.
    public let keepaliveInterval: Duration
    /// How long the client may stay silent before the server gives up on it.
    public let maxLifetime: Duration
    /// The MIME type of every payload's metadata (ASCII). A view into the frame's buffer,
    /// valid only during the call that hands it over; copy what must outlive it.
    public let unsafeMetadataMIMEType: UnsafeRawBufferPointer
    /// The MIME type of every payload's data (ASCII): it picks the timeline encoding. A view
    /// into the frame's buffer, valid only during the call that hands it over; copy what must
    /// outlive it.
    public let unsafeDataMIMEType: UnsafeRawBufferPointer
    /// The SETUP's own payload.
    public let payload: PayloadView

    /// The data MIME type as a string (allocates; for logs and tests).
    public var dataMIMETypeString: String { String(decoding: unsafeDataMIMEType, as: UTF8.self) }
    /// The metadata MIME type as a string (allocates; for logs and tests).
    public var metadataMIMETypeString: String { String(decoding: unsafeMetadataMIMEType, as: UTF8.self) }
}

/// The responder's answer to a SETUP.
public enum SetupDecision: Sendable, Equatable {
    /// The connection is established.
    case accept
    /// Refused with ERROR REJECTED_SETUP and this reason; the connection is closed.
    case reject(String)
    /// Refused with ERROR UNSUPPORTED_SETUP (MIME types the server does not speak); closed.
    case unsupported(String)
}
