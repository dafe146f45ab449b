import LWWSet

/// One accepted write as the journal stores it (a log record, and a snapshot record): the
/// layout of <doc:JournalRecords>, little-endian.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | kind: 1 insert, 2 delete |
/// | 1 | 1 | reserved, 0 |
/// | 2 | 2 | key length K (u16) |
/// | 4 | 8 | score (IEEE 754 binary64 bits) |
/// | 12 | K | key bytes |
/// | 12 + K | rest | member bytes |
enum WriteRecord {
    /// The bytes before the key.
    static let headerLength = 12
    static let insertKind: UInt8 = 1
    static let deleteKind: UInt8 = 2

    /// The record's length for a key and member of these sizes.
    static func length(key: Int, member: Int) -> Int { headerLength + key + member }

    /// Writes the record into `buffer`, exactly ``length(key:member:)`` bytes (the key is at
    /// most `LWWSet.maximumKeyLength`, checked by the set before it accepted the write).
    static func encode(
        _ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer
    ) {
        buffer.storeBytes(of: kind == .insert ? insertKind : deleteKind, toByteOffset: 0, as: UInt8.self)
        buffer.storeBytes(of: 0, toByteOffset: 1, as: UInt8.self)
        buffer.storeBytes(of: UInt16(truncatingIfNeeded: key.count).littleEndian, toByteOffset: 2, as: UInt16.self)
        buffer.storeBytes(of: score.bitPattern.littleEndian, toByteOffset: 4, as: UInt64.self)
        if !key.isEmpty { (buffer.baseAddress! + headerLength).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if !member.isEmpty {
            (buffer.baseAddress! + headerLength + key.count).copyMemory(from: member.baseAddress!, byteCount: member.count)
        }
    }

    /// Reads a record (untrusted bytes: every length is checked first) and hands its fields
    /// to `body`, borrowed for the call.
    static func decode<Result>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (WriteKind, _ key: UnsafeRawBufferPointer, _ score: Double, _ member: UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        guard bytes.count >= headerLength else {
            throw WriteRecordError("record of \(bytes.count) bytes is shorter than its \(headerLength)-byte header")
        }
        let kind: WriteKind
        switch bytes.load(fromByteOffset: 0, as: UInt8.self) {
        case insertKind: kind = .insert
        case deleteKind: kind = .delete
        case let other: throw WriteRecordError("kind \(other) (1 insert, 2 delete)")
        }
        guard bytes.load(fromByteOffset: 1, as: UInt8.self) == 0 else { throw WriteRecordError("reserved byte is not 0") }
        let keyLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        guard headerLength + keyLength <= bytes.count else {
            throw WriteRecordError("key length \(keyLength) runs past the record's \(bytes.count) bytes")
        }
        let memberLength = bytes.count - headerLength - keyLength
        guard memberLength <= LWWSet.maximumMemberLength else {
            throw WriteRecordError("member length \(memberLength) is over the limit of \(LWWSet.maximumMemberLength)")
        }
        let score = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self)))
        guard !score.isNaN else { throw WriteRecordError("score is NaN") }
        let key = UnsafeRawBufferPointer(rebasing: bytes[headerLength ..< headerLength + keyLength])
        let member = UnsafeRawBufferPointer(rebasing: bytes[(headerLength + keyLength)...])
        return try body(kind, key, score, member)
    }
}

/// A journal record that is not a valid write record: what is wrong with it, naming the field.
struct WriteRecordError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "write record: " + description }
}
