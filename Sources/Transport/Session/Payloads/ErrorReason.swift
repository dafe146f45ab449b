import Frames

/// The UTF-8 reason of an ERROR frame the session writes: fixed text costs no allocation
/// (the reasons sent under load, such as a refused stream); composed text names the field
/// or value at fault.
public enum ErrorReason: FrameEncodable, Sendable, Equatable, CustomStringConvertible {
    /// A literal reason.
    case fixed(StaticString)
    /// A composed reason.
    case text(String)

    /// The reason's UTF-8 length.
    public var encodedByteCount: Int {
        switch self {
        case .fixed(let text): text.utf8CodeUnitCount
        case .text(let text): text.utf8.count
        }
    }

    /// Copies the reason's bytes.
    public func unsafeEncode(into buffer: UnsafeMutableRawBufferPointer) {
        switch self {
        case .fixed(let text):
            text.withUTF8Buffer { buffer.copyMemory(from: UnsafeRawBufferPointer($0)) }
        case .text(let text): text.unsafeEncode(into: buffer)
        }
    }

    /// The reason as a string.
    public var description: String {
        switch self {
        case .fixed(let text): text.description
        case .text(let text): text
        }
    }

    /// Equal when the texts are.
    public static func == (lhs: ErrorReason, rhs: ErrorReason) -> Bool { lhs.description == rhs.description }
}
