/// The two encodings of timeline messages, chosen per connection by the SETUP frame's data
/// MIME type (DESIGN, contract 2).
public enum TimelineEncoding: Sendable, CaseIterable {
    /// `application/x.ringside.v1`: the binary flyweight layout.
    case binary
    /// `application/json`: the JSON of contract 2, through `TimelineJSONCodec`.
    case json

    /// The MIME type a client names in SETUP.
    public var mimeType: String {
        switch self {
        case .binary: "application/x.ringside.v1"
        case .json: "application/json"
        }
    }

    /// The encoding whose MIME type is exactly `bytes` (a SETUP's `dataMIMEType`), or nil.
    public init?(mimeType bytes: UnsafeRawBufferPointer) {
        guard let match = Self.allCases.first(where: { $0.mimeType.utf8.elementsEqual(bytes) }) else { return nil }
        self = match
    }
}
