/// The 16-byte header in front of every log and snapshot record, and the snapshot's end
/// frame (see <doc:LogFormat>): crc u32 at 0 (over bytes 4..<16+L), length u32 at 4,
/// sequence u64 at 8, payload at 16.
enum RecordFrame {
    /// The header's length.
    static let headerLength = 16
    /// The length field of a snapshot's end frame.
    static let endMarker: UInt32 = 0xFFFF_FFFF

    /// Writes a header for the `length` payload bytes already at `frame[16...]` and its
    /// checksum; `frame` is exactly the header and payload.
    static func seal(_ frame: UnsafeMutableRawBufferPointer, length: UInt32, sequence: UInt64) {
        frame.storeBytes(of: length.littleEndian, toByteOffset: 4, as: UInt32.self)
        frame.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        let covered = UnsafeRawBufferPointer(rebasing: frame[4...])
        frame.storeBytes(of: CRC32C.checksum(covered).littleEndian, toByteOffset: 0, as: UInt32.self)
    }

    /// The length field of the header at the start of `header` (16 bytes or more).
    static func length(_ header: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    }

    /// The sequence field of the header at the start of `header`.
    static func sequence(_ header: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Whether the checksum of `frame` (exactly a header and its payload) matches: nil, or
    /// the stored and computed values.
    static func checksumFault(_ frame: UnsafeRawBufferPointer) -> RecordFault? {
        let stored = UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[4...]))
        return stored == computed ? nil : .checksum(stored: stored, computed: computed)
    }
}

/// Why the bytes at an offset are not a valid record.
public enum RecordFault: Sendable, Equatable, CustomStringConvertible {
    /// Fewer than 16 bytes are left for the header: how many.
    case shortHeader(available: Int)
    /// The length field is over the journal's limit.
    case lengthOverLimit(length: UInt32, limit: Int)
    /// The payload runs past the end of the file.
    case shortPayload(length: UInt32, available: Int)
    /// The checksum does not match.
    case checksum(stored: UInt32, computed: UInt32)

    /// A phrase naming the field.
    public var description: String {
        switch self {
        case .shortHeader(let available): "record header cut short (\(available) of 16 bytes)"
        case .lengthOverLimit(let length, let limit): "length field \(length) over the limit \(limit)"
        case .shortPayload(let length, let available): "payload of \(length) bytes cut short (\(available) present)"
        case .checksum(let stored, let computed):
            "checksum 0x\(String(stored, radix: 16)) does not match the computed 0x\(String(computed, radix: 16))"
        }
    }
}
