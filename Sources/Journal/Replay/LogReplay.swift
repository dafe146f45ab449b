/// Replays one log file: checks its header, hands each record to the handler in order, and
/// tells a torn tail from corruption in the middle (see <doc:LogFormat>).
struct LogReplay {
    /// Where the log's valid records end: the length to truncate it to when `tornTail`.
    var endOffset: Int
    /// The sequence the next record appended to this log gets.
    var nextSequence: UInt64
    /// Records handed over.
    var records = 0
    /// The invalid tail found in the last log, if any (not yet truncated).
    var tornTail: TornTail?

    /// Replays `path`, the log of `generation` whose records must start at `expectedBase`;
    /// `isLast`: the newest log, the only one allowed to end with a torn record.
    init(
        path: String, generation: UInt64, expectedBase: UInt64, isLast: Bool, limit: Int,
        record: (UInt64, UnsafeRawBufferPointer) throws -> Void
    ) throws(JournalError) {
        var reader = try FileReader(path: path)
        guard let headerBytes = try reader.bytes(at: 0, count: FileHeader.length) else {
            throw .badHeader(file: path, .short(reader.size))
        }
        let header: FileHeader
        switch FileHeader.validate(headerBytes, kind: .log) {
        case .success(let valid): header = valid
        case .failure(let fault): throw .badHeader(file: path, fault)
        }
        guard header.generation == generation else {
            throw .badHeader(file: path, .generation(inHeader: header.generation, inName: generation))
        }
        guard header.sequence == expectedBase else {
            throw .missingRecords(file: path, expectedBase: expectedBase, foundBase: header.sequence)
        }
        var offset = FileHeader.length
        var sequence = header.sequence
        scan: while offset < reader.size {
            switch try reader.probe(at: offset, limit: limit, allowEnd: false) {
            case .record(let found, let frameLength):
                guard found == sequence else {
                    throw .sequenceMismatch(file: path, offset: offset, expected: sequence, found: found)
                }
                let payloadLength = frameLength - RecordFrame.headerLength
                let payload = try reader.bytes(at: offset + RecordFrame.headerLength, count: payloadLength)!
                do {
                    try record(sequence, payload)
                } catch {
                    throw .replayRejected(file: path, offset: offset, error)
                }
                offset += frameLength
                sequence += 1
                records += 1
            case .invalid(let fault):
                guard isLast, try reader.nextValidRecord(after: offset, sequence: sequence, limit: limit) == nil else {
                    throw .corruptRecord(file: path, offset: offset, fault)
                }
                tornTail = TornTail(file: path, offset: offset, droppedBytes: reader.size - offset, fault: fault)
                break scan
            case .end:
                preconditionFailure("end frames are not probed for in logs")
            }
        }
        endOffset = offset
        nextSequence = sequence
    }
}
