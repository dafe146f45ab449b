/// A validated RSocket 1.0 frame over bytes it does not own: a flyweight.
///
/// `init(validating:)` checks the whole frame before anything is trusted (header, reserved
/// bits, flags the type defines, the stream rule, every fixed field, every length against the
/// bytes present) and throws a `FrameError` otherwise; it never reads outside `bytes`. The
/// reader then hands out views into `bytes` (`unsafeMetadata`, `unsafeData`, tokens, MIME
/// types): nothing is copied and nothing is allocated. The views are unsafe: they are valid
/// only while the buffer is (the ring record, the pooled lease); copy what must outlive it.
///
/// `bytes` is exactly one frame, without the TCP length prefix (see `LengthPrefix`).
///
/// ```swift
/// let frame = try FrameReader(validating: record)
/// switch frame.fields {
/// case .requestFireAndForget: apply(frame.unsafeData)
/// case .requestN(let n): credit(frame.streamID, n)
/// default: break
/// }
/// ```
@frozen
public struct FrameReader {
    /// The frame's bytes, header included. A view into the frame's buffer, valid only while
    /// that buffer is (the ring record, the pooled lease); copy what must outlive it.
    public let unsafeBytes: UnsafeRawBufferPointer
    /// The header.
    public let header: FrameHeader
    /// The type-specific fields.
    public let fields: FrameFields
    /// The metadata when the M flag is set, nil otherwise. A view into the frame's buffer,
    /// valid only while that buffer is (the ring record, the pooled lease); copy what must
    /// outlive it.
    public let unsafeMetadata: UnsafeRawBufferPointer?
    /// The data (possibly empty): the payload data, a KEEPALIVE's data, an ERROR's reason. A
    /// view into the frame's buffer, valid only while that buffer is (the ring record, the
    /// pooled lease); copy what must outlive it.
    public let unsafeData: UnsafeRawBufferPointer

    /// Validates the frame in `bytes` and reads its fields.
    @inlinable
    public init(validating bytes: UnsafeRawBufferPointer) throws(FrameError) {
        let header = try FrameHeader(validating: bytes)
        var cursor = FrameCursor(bytes, offset: FrameHeader.byteCount)
        self.unsafeBytes = bytes
        self.header = header
        let traits = header.type.traits
        guard let defined = traits.definedFlags else {
            guard header.flags.contains(.ignore) else { throw .unknownType(header.type) }
            fields = .ignored
            unsafeMetadata = nil
            unsafeData = cursor.rest()
            return
        }
        guard header.flags.isSubset(of: defined) else { throw .reservedBitSet(field: .flags) }
        switch traits.streamRule {
        case .connection where header.streamID != 0, .request where header.streamID == 0:
            throw .invalidStreamID(type: header.type, streamID: header.streamID)
        default:
            break
        }
        fields = try Self.readFields(header, &cursor)
        let hasMetadata = header.flags.contains(.metadata)
        switch traits.payloadShape {
        case .metadataAndData:
            if hasMetadata {
                let length = try cursor.readUInt24(field: .metadata)
                unsafeMetadata = try cursor.slice(count: length, field: .metadata)
            } else {
                unsafeMetadata = nil
            }
            unsafeData = cursor.rest()
        case .metadataOnly:
            unsafeMetadata = hasMetadata ? cursor.rest() : nil
            unsafeData = cursor.rest()
        case .dataOnly:
            unsafeMetadata = nil
            unsafeData = cursor.rest()
        case .none:
            guard cursor.remaining == 0 else { throw .trailingBytes(type: header.type, count: cursor.remaining) }
            unsafeMetadata = nil
            unsafeData = cursor.rest()
        }
    }

    /// Reads the fields between the header and the metadata of a known type: the stream
    /// frames here, inline; the rarer connection frames out of line.
    @inlinable @inline(__always)
    static func readFields(_ header: FrameHeader, _ cursor: inout FrameCursor) throws(FrameError) -> FrameFields {
        switch header.type {
        case .requestFireAndForget: return .requestFireAndForget
        case .requestResponse: return .requestResponse
        case .payload:
            guard header.flags.contains(.complete) || header.flags.contains(.next) else {
                throw .invalidFlags(type: header.type, flags: header.flags)
            }
            return .payload
        case .requestStream: return .requestStream(initialRequestN: try cursor.read31(field: .initialRequestN, positive: true))
        case .requestChannel: return .requestChannel(initialRequestN: try cursor.read31(field: .initialRequestN, positive: true))
        case .requestN: return .requestN(try cursor.read31(field: .requestN, positive: true))
        case .cancel: return .cancel
        default: return try readConnectionFields(header, &cursor)
        }
    }

    /// Reads the fields of the frame types `readFields` leaves out.
    @usableFromInline
    static func readConnectionFields(_ header: FrameHeader, _ cursor: inout FrameCursor) throws(FrameError) -> FrameFields {
        switch header.type {
        case .error: return .error(ErrorCode(rawValue: try cursor.read(UInt32.self, field: .errorCode)))
        case .keepalive: return .keepalive(lastReceivedPosition: try cursor.read63(field: .lastReceivedPosition))
        case .setup: return .setup(try SetupFields(reading: &cursor, flags: header.flags))
        case .lease:
            let timeToLive = try cursor.read31(field: .timeToLive, positive: false)
            return .lease(timeToLive: timeToLive, numberOfRequests: try cursor.read31(field: .numberOfRequests, positive: false))
        case .metadataPush:
            guard header.flags.contains(.metadata) else { throw .invalidFlags(type: header.type, flags: header.flags) }
            return .metadataPush
        case .resume: return .resume(try ResumeFields(reading: &cursor))
        case .resumeOK: return .resumeOK(lastReceivedClientPosition: try cursor.read63(field: .lastReceivedClientPosition))
        default: return .ext(extendedType: try cursor.read31(field: .extendedType, positive: false))
        }
    }

    /// The stream id.
    @inlinable public var streamID: UInt32 { header.streamID }
    /// The frame type.
    @inlinable public var type: FrameType { header.type }
    /// The flag bits.
    @inlinable public var flags: FrameFlags { header.flags }
    /// F: more fragments of this payload follow (requests and PAYLOAD).
    @inlinable public var follows: Bool {
        let traits = header.type.traits
        return traits.streamRule == .request && traits.payloadShape == .metadataAndData && flags.contains(.follows)
    }
    /// C: the stream is complete (PAYLOAD, REQUEST_CHANNEL).
    @inlinable public var complete: Bool { (type == .payload || type == .requestChannel) && flags.contains(.complete) }
    /// N: the PAYLOAD carries a next payload.
    @inlinable public var next: Bool { type == .payload && flags.contains(.next) }
    /// R: a KEEPALIVE that asks for an answer.
    @inlinable public var respond: Bool { type == .keepalive && flags.contains(.respond) }
}
