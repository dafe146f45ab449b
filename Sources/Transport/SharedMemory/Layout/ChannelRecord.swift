/// The record types of the shared-memory carrier's rings (see <doc:SharedMemoryHandshake>).
enum ChannelRecord {
    /// Channel rings: one whole RSocket frame.
    static let frame: Int32 = 1
    /// Channel rings: the writer closed the connection; the payload is its reason (UTF-8).
    static let close: Int32 = 2
    /// The connect ring: a ``ConnectRequest``.
    static let connect: Int32 = 1
    /// The longest reason carried by a close record or the channel block.
    static let maxReasonLength = 256

    /// `reason`'s UTF-8 bytes cut to ``maxReasonLength`` (on a character boundary).
    static func reasonBytes(_ reason: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in reason.unicodeScalars {
            let encoded = String(scalar).utf8
            guard bytes.count + encoded.count <= maxReasonLength else { break }
            bytes.append(contentsOf: encoded)
        }
        return bytes
    }
}
