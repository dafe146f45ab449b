/// REQUEST_N arithmetic: credits add up and saturate at 2^31-1, which RSocket reads as
/// unbounded (an unbounded credit is never used up).
public enum Credit {
    /// 2^31-1: the largest REQUEST_N, meaning "no limit".
    public static let unbounded: UInt32 = 0x7FFF_FFFF

    /// `current + added`, saturating at ``unbounded``.
    @inlinable
    public static func adding(_ current: UInt32, _ added: UInt32) -> UInt32 {
        let sum = UInt64(current) + UInt64(added)
        return sum >= UInt64(unbounded) ? unbounded : UInt32(sum)
    }

    /// One credit used: `current - 1`, except that an unbounded credit stays unbounded. The
    /// caller has checked `current > 0`.
    @inlinable
    public static func usingOne(_ current: UInt32) -> UInt32 {
        current == unbounded ? unbounded : current - 1
    }
}
