/// The 10 flag bits of an RSocket 1.0 frame header (`type << 10 | flags`).
///
/// I and M mean the same on every frame; the bits below them depend on the frame type,
/// so several names share a bit (`follows`, `respond` and `resumeEnable` are all 0x080).
@frozen
public struct FrameFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The flag bits, in the low 10 bits.
    public let rawValue: UInt16

    /// Wraps raw flag bits; only the low 10 bits can appear in a header.
    @inlinable
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// All 10 bits a header can carry.
    public static let mask: UInt16 = 0x03FF

    /// I: the receiver may ignore this frame if it does not understand it.
    public static let ignore = FrameFlags(rawValue: 0x200)
    /// M: the frame carries metadata.
    public static let metadata = FrameFlags(rawValue: 0x100)
    /// F (requests, PAYLOAD): more fragments of this payload follow.
    public static let follows = FrameFlags(rawValue: 0x080)
    /// C (REQUEST_CHANNEL, PAYLOAD): the stream is complete.
    public static let complete = FrameFlags(rawValue: 0x040)
    /// N (PAYLOAD): the frame carries a next payload.
    public static let next = FrameFlags(rawValue: 0x020)
    /// R (KEEPALIVE): the receiver must answer with a KEEPALIVE.
    public static let respond = FrameFlags(rawValue: 0x080)
    /// R (SETUP): the client asks for resumption (a resume token follows).
    public static let resumeEnable = FrameFlags(rawValue: 0x080)
    /// L (SETUP): the client will honour LEASE.
    public static let lease = FrameFlags(rawValue: 0x040)

    /// The bits in hex, `0x180`.
    public var description: String { "0x" + String(rawValue, radix: 16) }
}
