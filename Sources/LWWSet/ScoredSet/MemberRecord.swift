/// The layout of one member in a `ScoredSet`'s arena: a 16-byte header, then the member's
/// bytes, packed back to back with no padding (fields are read with unaligned loads).
///
///     offset 0   score        the Double's bit pattern (8 bytes, native order)
///     offset 8   length       the member's byte count; the top bit marks a dead record
///     offset 12  hash         the member's hash (a forwarding offset during compaction)
///     offset 16  member bytes
///
/// A record is named by its offset in the arena (its handle).
enum MemberRecord {
    /// Bytes before the member's own.
    static let headerSize = 16
    /// The length field's flag for a record whose member left the set.
    static let deadFlag: UInt32 = 1 << 31

    /// Writes a live record for `member` at `score` at `record` (the record must fit in the
    /// arena, so its length fits the length field).
    @inline(__always)
    static func write(
        _ member: UnsafeRawBufferPointer, score: Double, hash: UInt32, _ arena: UnsafeMutableRawPointer, _ record: UInt32
    ) {
        let start = arena + Int(record)
        start.storeBytes(of: score.bitPattern, as: UInt64.self)
        start.storeBytes(of: UInt32(truncatingIfNeeded: member.count), toByteOffset: 8, as: UInt32.self)
        start.storeBytes(of: hash, toByteOffset: 12, as: UInt32.self)
        RawBytes.copy(member, to: start + headerSize)
    }

    @inline(__always)
    static func score(_ arena: UnsafeRawPointer, _ record: UInt32) -> Double {
        Double(bitPattern: arena.loadUnaligned(fromByteOffset: Int(record), as: UInt64.self))
    }

    @inline(__always)
    static func setScore(_ score: Double, _ arena: UnsafeMutableRawPointer, _ record: UInt32) {
        arena.storeBytes(of: score.bitPattern, toByteOffset: Int(record), as: UInt64.self)
    }

    /// The raw length field (the member's length, with `deadFlag` on a dead record).
    @inline(__always)
    static func lengthField(_ arena: UnsafeRawPointer, _ record: UInt32) -> UInt32 {
        arena.loadUnaligned(fromByteOffset: Int(record) + 8, as: UInt32.self)
    }

    /// Marks the record dead.
    @inline(__always)
    static func markDead(_ arena: UnsafeMutableRawPointer, _ record: UInt32) {
        let field = lengthField(arena, record)
        arena.storeBytes(of: field | deadFlag, toByteOffset: Int(record) + 8, as: UInt32.self)
    }

    /// The hash field: the member's hash, or a forwarding offset during compaction.
    @inline(__always)
    static func hash(_ arena: UnsafeRawPointer, _ record: UInt32) -> UInt32 {
        arena.loadUnaligned(fromByteOffset: Int(record) + 12, as: UInt32.self)
    }

    @inline(__always)
    static func setHash(_ hash: UInt32, _ arena: UnsafeMutableRawPointer, _ record: UInt32) {
        arena.storeBytes(of: hash, toByteOffset: Int(record) + 12, as: UInt32.self)
    }

    /// The member's bytes.
    @inline(__always)
    static func member(_ arena: UnsafeRawPointer, _ record: UInt32) -> UnsafeRawBufferPointer {
        let length = Int(lengthField(arena, record) & ~deadFlag)
        return UnsafeRawBufferPointer(start: arena + Int(record) + headerSize, count: length)
    }

    /// The record's total size in the arena, header included.
    @inline(__always)
    static func size(lengthField: UInt32) -> Int {
        headerSize + Int(lengthField & ~deadFlag)
    }

    /// Whether the entry at `record` orders below (`score`, `member`): lower score, or the
    /// same score and smaller member bytes.
    @inline(__always)
    static func orders(
        _ arena: UnsafeRawPointer, _ record: UInt32, below score: Double, _ member: UnsafeRawBufferPointer
    ) -> Bool {
        let recordScore = self.score(arena, record)
        if recordScore != score { return recordScore < score }
        return RawBytes.compare(self.member(arena, record), member) < 0
    }
}
