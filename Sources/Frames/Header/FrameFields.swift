/// The type-specific fields of a validated frame, read by `FrameReader`.
///
/// Flags stay in the header (`FrameReader.flags`, or the shortcuts `follows`, `complete`,
/// `next`, `respond`); metadata and data are `FrameReader.metadata` and `FrameReader.data`.
/// Byte fields are views into the frame's buffer: valid as long as that buffer is.
@frozen
public enum FrameFields {
    /// SETUP: connection parameters (metadata and data follow as usual).
    case setup(SetupFields)
    /// LEASE: `numberOfRequests` requests may be sent in the next `timeToLive` ms.
    case lease(timeToLive: UInt32, numberOfRequests: UInt32)
    /// KEEPALIVE: the sender's last received resume position (data may follow).
    case keepalive(lastReceivedPosition: UInt64)
    /// REQUEST_RESPONSE.
    case requestResponse
    /// REQUEST_FNF.
    case requestFireAndForget
    /// REQUEST_STREAM with its initial demand (positive).
    case requestStream(initialRequestN: UInt32)
    /// REQUEST_CHANNEL with its initial demand (positive).
    case requestChannel(initialRequestN: UInt32)
    /// REQUEST_N: more demand (positive).
    case requestN(UInt32)
    /// CANCEL.
    case cancel
    /// PAYLOAD.
    case payload
    /// ERROR with its code; the UTF-8 reason is the frame's `data`.
    case error(ErrorCode)
    /// METADATA_PUSH; the metadata is the frame's `metadata`.
    case metadataPush
    /// RESUME: token and positions.
    case resume(ResumeFields)
    /// RESUME_OK: the server's last received client position.
    case resumeOK(lastReceivedClientPosition: UInt64)
    /// EXT with its extended type (31 bits).
    case ext(extendedType: UInt32)
    /// A frame of a type this module does not know, sent with the I flag: skip it.
    case ignored
}
