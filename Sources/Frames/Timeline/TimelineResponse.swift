/// A timeline response in the binary layout `application/x.ringside.v1`: `ok` for an insert
/// or delete (one or a batch) sent by request-response, `records` for a select of one key
/// or a range, `results` for a select of several keys.
@frozen
public enum TimelineResponse {
    /// The write was accepted.
    case ok
    /// The select's result, highest score first.
    case records(TimelineRecords)
    /// The result of a select of several keys: per requested key, in the request's order,
    /// the key and its records.
    case results(TimelineResults)

    /// Validates the binary response in `bytes` (exactly one message) and reads it in place.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(TimelineCodecError) {
        typealias Layout = TimelineBinaryLayout
        switch try Layout.readOperation(bytes) {
        case Layout.okOperation:
            guard bytes.count == Layout.okSize else { throw .trailingBytes(count: bytes.count - Layout.okSize) }
            self = .ok
        case Layout.recordsOperation:
            try Layout.checkFixedPart(bytes, fixedSize: Layout.recordsFixedSize)
            let count = Int(bytes.unsafeLoadBigEndian(at: Layout.recordsCountOffset, as: UInt32.self))
            let entries = bytes.unsafeSlice(at: Layout.recordsFixedSize, count: bytes.count - Layout.recordsFixedSize)
            self = .records(try TimelineRecords(validating: entries, count: count))
        case Layout.resultsOperation:
            try Layout.checkFixedPart(bytes, fixedSize: Layout.resultsFixedSize)
            let count = Int(bytes.unsafeLoadBigEndian(at: Layout.resultsCountOffset, as: UInt16.self))
            let entries = bytes.unsafeSlice(at: Layout.resultsFixedSize, count: bytes.count - Layout.resultsFixedSize)
            self = .results(try TimelineResults(validating: entries, count: count))
        case let code:
            throw .unknownOperation(code)
        }
    }
}

extension TimelineResponse: FrameEncodable {
    /// The size of the response in the binary layout.
    @inlinable
    public var encodedByteCount: Int {
        switch self {
        case .ok: TimelineBinaryLayout.okSize
        case .records(let records): TimelineBinaryLayout.recordsFixedSize + records.entries.count
        case .results(let results): TimelineBinaryLayout.resultsFixedSize + results.entries.count
        }
    }

    /// Writes the response in the binary layout.
    @inlinable
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        typealias Layout = TimelineBinaryLayout
        buffer[Layout.reservedOffset] = 0
        switch self {
        case .ok:
            buffer[Layout.operationOffset] = Layout.okOperation
        case .records(let records):
            buffer[Layout.operationOffset] = Layout.recordsOperation
            buffer.unsafeStoreBigEndian(UInt32(truncatingIfNeeded: records.count), at: Layout.recordsCountOffset)
            buffer.unsafeCopy(records.entries, at: Layout.recordsFixedSize)
        case .results(let results):
            buffer[Layout.operationOffset] = Layout.resultsOperation
            buffer.unsafeStoreBigEndian(UInt16(truncatingIfNeeded: results.count), at: Layout.resultsCountOffset)
            buffer.unsafeCopy(results.entries, at: Layout.resultsFixedSize)
        }
    }
}
