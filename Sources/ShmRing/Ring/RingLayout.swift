import CRingside

/// The byte layout shared by ``OneToOneRing`` and ``ManyToOneRing`` (Agrona's record ring).
///
/// A ring region is `capacity` bytes of records (a power of two) followed by a trailer:
///
/// | trailer offset | field | written by |
/// |---:|---|---|
/// | 0 | tail position (Int64, bytes ever claimed) | producers |
/// | 128 | head cache position (Int64) | producers |
/// | 256 | head position (Int64, bytes ever consumed) | the consumer |
/// | 384 | correlation counter (Int64) | anyone |
/// | 512 | consumer heartbeat (Int64, nanoseconds) | the consumer |
///
/// Each field sits alone on a 128-byte line (two cache lines, against adjacent-line
/// prefetch). A record is an 8-byte header, `length: Int32` (header included; negative while
/// claimed, zero for free space) then `type: Int32` (≥ 1, or -1 for padding), then the
/// payload, the whole rounded up to 8 bytes. Records never wrap: a padding record fills the
/// end of the buffer instead. The consumer zeroes what it has consumed before publishing its
/// head, so free space always reads as zero.
public enum RingLayout {
    /// Bytes of the record header (length and type).
    public static let recordHeaderLength = 8
    /// Records start on multiples of this.
    public static let recordAlignment = 8
    /// The type of a padding record, which the consumer skips.
    public static let paddingType: Int32 = -1
    /// The spacing of trailer fields: the package's cache-line padding (128 bytes; layout
    /// version 1 fixes it there, so a change to it is a new layout version).
    public static let trailerLineLength = Int(RINGSIDE_CACHE_LINE_PADDING)
    /// Offset of the tail position in the trailer.
    public static let tailOffset = 0
    /// Offset of the producers' cached head position in the trailer.
    public static let headCacheOffset = 1 * trailerLineLength
    /// Offset of the head position in the trailer.
    public static let headOffset = 2 * trailerLineLength
    /// Offset of the correlation counter in the trailer.
    public static let correlationOffset = 3 * trailerLineLength
    /// Offset of the consumer heartbeat in the trailer.
    public static let heartbeatOffset = 4 * trailerLineLength
    /// Bytes of the trailer.
    public static let trailerLength = 5 * trailerLineLength
    /// The smallest record capacity accepted.
    public static let minimumCapacity = 128
    /// The largest record capacity accepted (lengths are Int32).
    public static let maximumCapacity = 1 << 30

    /// The region size for a ring of `capacity` record bytes (a power of two).
    public static func regionSize(capacity: Int) -> Int {
        capacity + trailerLength
    }

    /// The longest payload a ring of `capacity` bytes accepts: an eighth of the capacity, as
    /// in Agrona, so that a record always fits after a wrap.
    public static func maxMessageLength(capacity: Int) -> Int {
        capacity / 8
    }

    /// `length` rounded up to ``recordAlignment``.
    @inlinable
    public static func aligned(_ length: Int) -> Int {
        (length &+ 7) & ~7
    }
}
