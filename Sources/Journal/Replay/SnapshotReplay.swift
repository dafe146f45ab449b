/// Checks one snapshot file whole (header, every record, the end frame) and then, if asked,
/// hands its records over: nothing of a corrupt snapshot is ever applied.
struct SnapshotReplay {
    /// The last log sequence the snapshot covers.
    let sequence: UInt64
    /// Its records.
    let records: Int

    /// Checks `path`, the snapshot of `generation`, then hands each record to `record`.
    init(path: String, generation: UInt64, limit: Int, record: (UnsafeRawBufferPointer) throws -> Void) throws(JournalError) {
        var reader = try FileReader(path: path)
        guard let headerBytes = try reader.bytes(at: 0, count: FileHeader.length) else {
            throw .badHeader(file: path, .short(reader.size))
        }
        let header: FileHeader
        switch FileHeader.validate(headerBytes, kind: .snapshot) {
        case .success(let valid): header = valid
        case .failure(let fault): throw .badHeader(file: path, fault)
        }
        guard header.generation == generation else {
            throw .badHeader(file: path, .generation(inHeader: header.generation, inName: generation))
        }
        sequence = header.sequence
        records = try Self.pass(&reader, limit: limit, deliver: false, handler: record)
        _ = try Self.pass(&reader, limit: limit, deliver: true, handler: record)
    }

    /// One pass over the records: checks them all, handing each to `handler` when `deliver`;
    /// the record count.
    private static func pass(
        _ reader: inout FileReader, limit: Int, deliver: Bool, handler: (UnsafeRawBufferPointer) throws -> Void
    ) throws(JournalError) -> Int {
        var offset = FileHeader.length
        var index: UInt64 = 0
        while offset < reader.size {
            switch try reader.probe(at: offset, limit: limit, allowEnd: true) {
            case .record(let found, let frameLength):
                guard found == index else {
                    throw .sequenceMismatch(file: reader.path, offset: offset, expected: index, found: found)
                }
                if deliver {
                    let payload = try reader.bytes(at: offset + RecordFrame.headerLength, count: frameLength - RecordFrame.headerLength)!
                    do {
                        try handler(payload)
                    } catch {
                        throw .replayRejected(file: reader.path, offset: offset, error)
                    }
                }
                offset += frameLength
                index += 1
            case .end(let count):
                guard count == index else {
                    throw .badSnapshotEnd(file: reader.path, offset: offset, reason: "end frame counts \(count) records, found \(index)")
                }
                guard offset + RecordFrame.headerLength == reader.size else {
                    throw .badSnapshotEnd(file: reader.path, offset: offset, reason: "\(reader.size - offset - RecordFrame.headerLength) bytes after the end frame")
                }
                return Int(index)
            case .invalid(let fault):
                throw .corruptRecord(file: reader.path, offset: offset, fault)
            }
        }
        throw .badSnapshotEnd(file: reader.path, offset: offset, reason: "no end frame")
    }
}
