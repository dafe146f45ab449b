import Frames

/// The frame that carries a payload: a request opening a stream, or a PAYLOAD on one.
public enum PayloadFrameKind: Sendable, Equatable {
    /// PAYLOAD with these flags.
    case payload(next: Bool, complete: Bool)
    /// REQUEST_FNF.
    case fireAndForget
    /// REQUEST_RESPONSE.
    case requestResponse
    /// REQUEST_STREAM with its initial demand.
    case requestStream(initialRequestN: UInt32)
    /// REQUEST_CHANNEL with its initial demand; `complete`: the requester sends nothing more.
    case requestChannel(initialRequestN: UInt32, complete: Bool)

    /// Bytes of fields between the header and the metadata.
    var fieldsByteCount: Int {
        switch self {
        case .requestStream, .requestChannel: 4
        case .payload, .fireAndForget, .requestResponse: 0
        }
    }

    /// Whether the payload ends its stream (C on the last fragment).
    var completes: Bool {
        switch self {
        case .payload(_, let complete), .requestChannel(_, let complete): complete
        case .fireAndForget, .requestResponse, .requestStream: false
        }
    }
}

/// Writes one payload as frames no longer than a carrier takes, fragmenting it when it is
/// longer (RSocket "Fragmentation and Reassembly"): the first frame is `kind` with F set,
/// the rest are PAYLOAD frames (N set, F on all but the last, C on the last when the payload
/// completes its stream); metadata travels before data, each fragment carrying its share.
public enum FrameFragmenter {
    /// The smallest frame length fragments can be cut to (a header, fields, a metadata length
    /// and one byte).
    public static let minimumFrameLength = 14

    /// Writes the frames one at a time into `scratch` (at least `min(maxFrameLength, ...)`
    /// bytes are used) and hands each to `emit`, in order; stops early when `emit` returns
    /// false. Returns the number of frames emitted.
    @discardableResult
    public static func write(
        _ kind: PayloadFrameKind, streamID: UInt32, metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer,
        maxFrameLength: Int, scratch: UnsafeMutableRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Bool
    ) throws(FrameError) -> Int {
        let limit = min(maxFrameLength, scratch.count)
        guard limit >= minimumFrameLength else { throw .bufferTooSmall(needed: minimumFrameLength, available: limit) }
        var metadataLeft = metadata
        var dataLeft = data
        var first = true
        var frames = 0
        while true {
            var room = limit - FrameHeader.byteCount - (first ? kind.fieldsByteCount : 0)
            var metadataChunk: UnsafeRawBufferPointer?
            if let rest = metadataLeft {
                room -= 3
                let take = min(rest.count, room)
                metadataChunk = UnsafeRawBufferPointer(rebasing: rest[..<take])
                room -= take
                metadataLeft = take == rest.count ? nil : UnsafeRawBufferPointer(rebasing: rest[take...])
            }
            let dataTake = metadataLeft == nil ? min(dataLeft.count, room) : 0
            let dataChunk = UnsafeRawBufferPointer(rebasing: dataLeft[..<dataTake])
            dataLeft = UnsafeRawBufferPointer(rebasing: dataLeft[dataTake...])
            let more = metadataLeft != nil || !dataLeft.isEmpty
            var writer = FrameWriter(scratch)
            if first {
                switch kind {
                case let .payload(next, complete):
                    try writer.writePayload(
                        streamID: streamID, next: next || more, complete: complete && !more, follows: more,
                        metadata: metadataChunk, data: dataChunk)
                case .fireAndForget:
                    try writer.writeRequestFireAndForget(streamID: streamID, metadata: metadataChunk, data: dataChunk, follows: more)
                case .requestResponse:
                    try writer.writeRequestResponse(streamID: streamID, metadata: metadataChunk, data: dataChunk, follows: more)
                case .requestStream(let n):
                    try writer.writeRequestStream(streamID: streamID, initialRequestN: n, metadata: metadataChunk, data: dataChunk, follows: more)
                case let .requestChannel(n, complete):
                    try writer.writeRequestChannel(
                        streamID: streamID, initialRequestN: n, metadata: metadataChunk, data: dataChunk, follows: more,
                        complete: complete && !more)
                }
            } else {
                try writer.writePayload(
                    streamID: streamID, next: true, complete: kind.completes && !more, follows: more,
                    metadata: metadataChunk, data: dataChunk)
            }
            frames += 1
            guard emit(writer.written), more else { return frames }
            first = false
        }
    }
}
