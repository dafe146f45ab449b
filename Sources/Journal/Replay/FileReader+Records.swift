/// What the bytes at an offset of a journal file hold.
enum RecordProbe {
    /// A record whose checksum matches: its sequence field and its whole length (header and
    /// payload); the payload is in the reader's window until the next read.
    case record(sequence: UInt64, frameLength: Int)
    /// A snapshot's end frame with its record count.
    case end(count: UInt64)
    /// Not a valid record.
    case invalid(RecordFault)
}

extension FileReader {
    /// Reads the record at `offset`: every length checked against `limit` and the file before
    /// the checksum is computed. `allowEnd`: an end frame is accepted (snapshots).
    mutating func probe(at offset: Int, limit: Int, allowEnd: Bool) throws(JournalError) -> RecordProbe {
        guard let header = try bytes(at: offset, count: RecordFrame.headerLength) else {
            return .invalid(.shortHeader(available: size - offset))
        }
        let length = RecordFrame.length(header)
        if allowEnd && length == RecordFrame.endMarker {
            if let fault = RecordFrame.checksumFault(header) { return .invalid(fault) }
            return .end(count: RecordFrame.sequence(header))
        }
        guard Int(length) <= limit else { return .invalid(.lengthOverLimit(length: length, limit: limit)) }
        let frameLength = RecordFrame.headerLength + Int(length)
        guard let frame = try bytes(at: offset, count: frameLength) else {
            return .invalid(.shortPayload(length: length, available: size - offset - RecordFrame.headerLength))
        }
        if let fault = RecordFrame.checksumFault(frame) { return .invalid(fault) }
        return .record(sequence: RecordFrame.sequence(frame), frameLength: frameLength)
    }

    /// The offset of the first valid record after `offset` whose sequence is `sequence` or
    /// later (and no further ahead than the bytes left could hold), searching every byte
    /// position: whether an invalid record at `offset` is a torn tail (nil) or corruption
    /// in the middle of the file.
    mutating func nextValidRecord(after offset: Int, sequence: UInt64, limit: Int) throws(JournalError) -> Int? {
        let furthest = sequence &+ UInt64((size - offset) / RecordFrame.headerLength)
        var position = offset + 1
        while position <= size - RecordFrame.headerLength {
            guard let header = try bytes(at: position, count: RecordFrame.headerLength) else { return nil }
            let length = Int(RecordFrame.length(header))
            let found = RecordFrame.sequence(header)
            if length <= limit, length <= size - position - RecordFrame.headerLength,
               found >= sequence, found <= furthest,
               case .record = try probe(at: position, limit: limit, allowEnd: false) {
                return position
            }
            position += 1
        }
        return nil
    }
}
