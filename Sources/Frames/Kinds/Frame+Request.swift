// Writers for the frames a requester sends on a request stream: REQUEST_RESPONSE,
// REQUEST_FNF, REQUEST_STREAM, REQUEST_CHANNEL, REQUEST_N and CANCEL. `FrameReader` reads them.

extension FrameWriter {
    /// Appends a REQUEST_RESPONSE frame.
    ///
    /// - Parameters:
    ///   - streamID: the request's stream (1 to 2^31-1).
    ///   - metadata: metadata (at most 2^24-1 bytes); sets the M flag.
    ///   - data: the request's data, written in place.
    ///   - follows: sets F: more fragments of this payload follow.
    @inlinable @inline(__always)
    public mutating func writeRequestResponse<Data: FrameEncodable>(
        streamID: UInt32, metadata: UnsafeRawBufferPointer? = nil, data: Data, follows: Bool = false
    ) throws(FrameError) {
        try writeRequest(.requestResponse, streamID: streamID, metadata: metadata, data: data, follows: follows)
    }

    /// Appends a REQUEST_FNF (fire and forget) frame; parameters as `writeRequestResponse`.
    @inlinable @inline(__always)
    public mutating func writeRequestFireAndForget<Data: FrameEncodable>(
        streamID: UInt32, metadata: UnsafeRawBufferPointer? = nil, data: Data, follows: Bool = false
    ) throws(FrameError) {
        try writeRequest(.requestFireAndForget, streamID: streamID, metadata: metadata, data: data, follows: follows)
    }

    /// Appends a REQUEST_STREAM frame with its initial demand (1 to 2^31-1); other
    /// parameters as `writeRequestResponse`.
    @inlinable
    public mutating func writeRequestStream<Data: FrameEncodable>(
        streamID: UInt32, initialRequestN: UInt32, metadata: UnsafeRawBufferPointer? = nil, data: Data,
        follows: Bool = false
    ) throws(FrameError) {
        try writeRequest(
            .requestStream, streamID: streamID, initialRequestN: initialRequestN, metadata: metadata, data: data,
            follows: follows)
    }

    /// Appends a REQUEST_CHANNEL frame with its initial demand (1 to 2^31-1); `complete` sets
    /// C (the requester sends nothing more). Other parameters as `writeRequestResponse`.
    @inlinable
    public mutating func writeRequestChannel<Data: FrameEncodable>(
        streamID: UInt32, initialRequestN: UInt32, metadata: UnsafeRawBufferPointer? = nil, data: Data,
        follows: Bool = false, complete: Bool = false
    ) throws(FrameError) {
        try writeRequest(
            .requestChannel, streamID: streamID, initialRequestN: initialRequestN, metadata: metadata, data: data,
            follows: follows, extraFlags: complete ? .complete : [])
    }

    /// Appends a REQUEST_N frame: `requestN` (1 to 2^31-1) more items on `streamID`.
    @inlinable
    public mutating func writeRequestN(streamID: UInt32, requestN: UInt32) throws(FrameError) {
        try Self.check31(requestN, .requestN, positive: true)
        try Self.checkRequestStream(streamID)
        try writeFrame(
            FrameHeader(streamID: streamID, type: .requestN), fieldsByteCount: 4, metadata: nil,
            data: UnsafeRawBufferPointer.empty
        ) { $0.unsafeStoreBigEndian(requestN, at: 0) }
    }

    /// Appends a CANCEL frame for `streamID`.
    @inlinable
    public mutating func writeCancel(streamID: UInt32) throws(FrameError) {
        try Self.checkRequestStream(streamID)
        try writeFrame(FrameHeader(streamID: streamID, type: .cancel), metadata: nil, data: UnsafeRawBufferPointer.empty)
    }

    /// The four request frames: an optional initial N, then metadata and data.
    @inlinable @inline(__always)
    mutating func writeRequest<Data: FrameEncodable>(
        _ type: FrameType, streamID: UInt32, initialRequestN: UInt32? = nil, metadata: UnsafeRawBufferPointer?,
        data: Data, follows: Bool, extraFlags: FrameFlags = []
    ) throws(FrameError) {
        try Self.checkRequestStream(streamID)
        if let initialRequestN { try Self.check31(initialRequestN, .initialRequestN, positive: true) }
        var flags = extraFlags
        if follows { flags.insert(.follows) }
        try writeFrame(
            FrameHeader(streamID: streamID, type: type, flags: flags), fieldsByteCount: initialRequestN == nil ? 0 : 4,
            metadata: metadata, data: data
        ) { fields in
            if let initialRequestN { fields.unsafeStoreBigEndian(initialRequestN, at: 0) }
        }
    }

    /// A request stream id is positive (stream 0 is the connection's).
    @inlinable @inline(__always)
    static func checkRequestStream(_ streamID: UInt32) throws(FrameError) {
        guard streamID != 0 else { throw .zeroValue(field: .streamID) }
    }
}
