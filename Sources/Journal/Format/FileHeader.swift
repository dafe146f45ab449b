/// The 32-byte header that starts every log and snapshot file (see <doc:LogFormat>).
struct FileHeader: Equatable {
    /// Which kind of file the magic says it is.
    enum Kind: Equatable {
        case log
        case snapshot

        /// ASCII `RSJLOG01` or `RSJSNP01`, as the little-endian u64 at offset 0.
        var magic: UInt64 {
            switch self {
            case .log: FileHeader.magic("RSJLOG01")
            case .snapshot: FileHeader.magic("RSJSNP01")
            }
        }
    }

    /// The header's length in bytes.
    static let length = 32
    /// The format version this module writes and reads.
    static let version: UInt32 = 1

    /// Log or snapshot.
    var kind: Kind
    /// The generation, as in the file name.
    var generation: UInt64
    /// A log's base sequence (its first record's), or a snapshot's covered sequence.
    var sequence: UInt64

    /// Stores the header into the first ``length`` bytes of `bytes`.
    func store(into bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= Self.length, "room for a file header")
        bytes.storeBytes(of: kind.magic.littleEndian, toByteOffset: 0, as: UInt64.self)
        bytes.storeBytes(of: Self.version.littleEndian, toByteOffset: 8, as: UInt32.self)
        bytes.storeBytes(of: generation.littleEndian, toByteOffset: 16, as: UInt64.self)
        bytes.storeBytes(of: sequence.littleEndian, toByteOffset: 24, as: UInt64.self)
        let header = UnsafeRawBufferPointer(rebasing: bytes[0..<Self.length])
        bytes.storeBytes(of: Self.checksum(header).littleEndian, toByteOffset: 12, as: UInt32.self)
    }

    /// Reads and checks a header of `kind`: the reason it is not one, or the header.
    static func validate(_ bytes: UnsafeRawBufferPointer, kind: Kind) -> Result<FileHeader, HeaderFault> {
        guard bytes.count >= length else { return .failure(.short(bytes.count)) }
        let header = UnsafeRawBufferPointer(rebasing: bytes[0..<length])
        let magic = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard magic == kind.magic else { return .failure(.magic(magic)) }
        let version = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == Self.version else { return .failure(.version(version)) }
        let stored = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let computed = checksum(header)
        guard stored == computed else { return .failure(.checksum(stored: stored, computed: computed)) }
        return .success(FileHeader(
            kind: kind,
            generation: UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            sequence: UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        ))
    }

    /// CRC32C of bytes 0..<12 then 16..<32 (everything but the checksum field).
    private static func checksum(_ header: UnsafeRawBufferPointer) -> UInt32 {
        let front = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<12]))
        return CRC32C.update(front, UnsafeRawBufferPointer(rebasing: header[16..<length]))
    }

    private static func magic(_ text: StaticString) -> UInt64 {
        text.withUTF8Buffer { UnsafeRawBufferPointer($0).loadUnaligned(as: UInt64.self) }.littleEndian
    }
}

/// Why a file header was refused.
public enum HeaderFault: Error, Equatable, CustomStringConvertible {
    /// The file is shorter than a header: how many bytes it has.
    case short(Int)
    /// The magic at offset 0 is not the expected kind's.
    case magic(UInt64)
    /// An unknown format version at offset 8.
    case version(UInt32)
    /// The checksum at offset 12 does not match.
    case checksum(stored: UInt32, computed: UInt32)
    /// The generation at offset 16 is not the one in the file name.
    case generation(inHeader: UInt64, inName: UInt64)

    /// A line naming the field.
    public var description: String {
        switch self {
        case .short(let count): "file shorter than its 32-byte header (\(count) bytes)"
        case .magic(let magic): "magic at offset 0 is 0x\(String(magic, radix: 16)), not a journal file of this kind"
        case .version(let version): "format version \(version) at offset 8 is not 1"
        case .checksum(let stored, let computed):
            "header checksum at offset 12 is 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case .generation(let inHeader, let inName): "generation \(inHeader) at offset 16, but \(inName) in the file name"
        }
    }
}
