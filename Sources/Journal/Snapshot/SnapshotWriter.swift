import Posix

/// Writes a snapshot's records, framed and checksummed, to its `snapshot-G.tmp` file through
/// one buffer; the producer given to ``SnapshotPlan/write(_:)`` appends through it.
public struct SnapshotWriter: ~Copyable {
    /// The file being written.
    public let path: String
    private let descriptor: Int32
    private let limit: Int
    private var buffer: RecordBuffer
    /// Records appended.
    public private(set) var records = 0
    /// Bytes written to the file so far.
    private(set) var written = 0

    init(path: String, descriptor: Int32, header: FileHeader, limit: Int) throws(JournalError) {
        self.path = path
        self.descriptor = descriptor
        self.limit = limit
        buffer = RecordBuffer(capacity: 1 << 20)
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        try withUnsafeMutableBytes(of: &bytes) { bytes throws(JournalError) in
            header.store(into: bytes)
            try writeOut(UnsafeRawBufferPointer(bytes))
        }
    }

    deinit {
        buffer.deallocate()
    }

    /// Appends one snapshot record: a copy of `payload`.
    public mutating func append(_ payload: UnsafeRawBufferPointer) throws(JournalError) {
        try append(length: payload.count) { $0.copyMemory(from: payload) }
    }

    /// Appends one snapshot record of `length` bytes that `fill` writes in place.
    public mutating func append(length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws(JournalError) {
        guard length <= limit else { throw .recordTooLong(length: length, limit: limit) }
        if buffer.count + RecordFrame.headerLength + length > buffer.capacity, !buffer.isEmpty {
            try drain()
        }
        buffer.append(sequence: UInt64(records), length: length, fill)
        records += 1
    }

    /// Writes the end frame and everything buffered, then syncs the file.
    mutating func finish() throws(JournalError) {
        try drain()
        var end = (UInt64(0), UInt64(0))
        try withUnsafeMutableBytes(of: &end) { bytes throws(JournalError) in
            bytes.storeBytes(of: RecordFrame.endMarker.littleEndian, toByteOffset: 4, as: UInt32.self)
            bytes.storeBytes(of: UInt64(records).littleEndian, toByteOffset: 8, as: UInt64.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[4...]))
            bytes.storeBytes(of: crc.littleEndian, toByteOffset: 0, as: UInt32.self)
            try writeOut(UnsafeRawBufferPointer(bytes))
        }
        do {
            try Sys.fsync(descriptor)
        } catch {
            throw .systemCall(file: path, offset: nil, error)
        }
    }

    private mutating func drain() throws(JournalError) {
        try writeOut(buffer.bytes)
        buffer.removeAll()
    }

    private mutating func writeOut(_ bytes: UnsafeRawBufferPointer) throws(JournalError) {
        do {
            try Sys.writeFully(descriptor, bytes)
        } catch {
            throw .systemCall(file: path, offset: written, error)
        }
        written += bytes.count
    }
}
