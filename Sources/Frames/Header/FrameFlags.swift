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
    @inlinable public static var mask: UInt16 { 0x03FF }

    /// I: the receiver may ignore this frame if it does not understand it.
    @inlinable public static var ignore: FrameFlags { FrameFlags(rawValue: 0x200) }
    /// M: the frame carries metadata.
    @inlinable public static var metadata: FrameFlags { FrameFlags(rawValue: 0x100) }
    /// F (requests, PAYLOAD): more fragments of this payload follow.
    @inlinable public static var follows: FrameFlags { FrameFlags(rawValue: 0x080) }
    /// C (REQUEST_CHANNEL, PAYLOAD): the stream is complete.
    @inlinable public static var complete: FrameFlags { FrameFlags(rawValue: 0x040) }
    /// N (PAYLOAD): the frame carries a next payload.
    @inlinable public static var next: FrameFlags { FrameFlags(rawValue: 0x020) }
    /// R (KEEPALIVE): the receiver must answer with a KEEPALIVE.
    @inlinable public static var respond: FrameFlags { FrameFlags(rawValue: 0x080) }
    /// R (SETUP): the client asks for resumption (a resume token follows).
    @inlinable public static var resumeEnable: FrameFlags { FrameFlags(rawValue: 0x080) }
    /// L (SETUP): the client will honour LEASE.
    @inlinable public static var lease: FrameFlags { FrameFlags(rawValue: 0x040) }

    /// The bits in hex, `0x180`.
    public var description: String { "0x" + String(rawValue, radix: 16) }
}
