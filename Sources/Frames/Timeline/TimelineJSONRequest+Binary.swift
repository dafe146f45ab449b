extension TimelineJSONRequest {
    /// Calls `body` with the same request in the binary layout: its keys and members are
    /// views of this request's strings, and the lists of a batch or a select of several keys
    /// are written into `scratch`; all of it is valid only during the call. Throws what the
    /// layout cannot carry (a key or member over 65,535 bytes, more than 65,535 keys, a
    /// non-finite score) and `.bufferTooSmall` when the lists do not fit `scratch`.
    public func withBinary<Result>(
        scratch: UnsafeMutableRawBufferPointer, _ body: (TimelineRequest) throws(TimelineCodecError) -> Result
    ) throws(TimelineCodecError) -> Result {
        switch self {
        case let .insert(key, score, member):
            return try Self.withBytes(key, member) { (key, member) throws(TimelineCodecError) in
                try body(try .insert(key: key, score: score, member: member))
            }
        case let .delete(key, score, member):
            return try Self.withBytes(key, member) { (key, member) throws(TimelineCodecError) in
                try body(try .delete(key: key, score: score, member: member))
            }
        case let .select(key, offset, limit):
            return try Self.withBytes(key, "") { (key, _) throws(TimelineCodecError) in try body(try .select(key: key, offset: offset, limit: limit)) }
        case let .tail(key):
            return try Self.withBytes(key, "") { (key, _) throws(TimelineCodecError) in try body(try .tail(key: key)) }
        case let .insertBatch(writes), let .deleteBatch(writes):
            var writer = TimelineWritesWriter(scratch)
            for write in writes {
                try Self.withBytes(write.key, write.member) { (key, member) throws(TimelineCodecError) in
                    try writer.append(key: key, score: write.score, member: member)
                }
            }
            if case .insertBatch = self { return try body(.insertBatch(writer.writes)) }
            return try body(.deleteBatch(writer.writes))
        case let .selectKeys(keys, offset, limit):
            var writer = TimelineKeysWriter(scratch)
            for key in keys { try Self.withBytes(key, "") { (key, _) throws(TimelineCodecError) in try writer.append(key) } }
            return try body(.select(keys: writer.keys, offset: offset, limit: limit))
        case let .range(key, start, stop, limit):
            return try Self.withBytes(start?.member ?? "", stop?.member ?? "") { (startMember, stopMember) throws(TimelineCodecError) in
                try Self.withBytes(key, "") { (key, _) throws(TimelineCodecError) in
                    try body(try .range(
                        key: key, start: start.map { TimelineCursor(score: $0.score, member: startMember) },
                        stop: stop.map { TimelineCursor(score: $0.score, member: stopMember) }, limit: limit))
                }
            }
        }
    }

    /// Calls `body` with the UTF-8 bytes of `first` and `second`.
    private static func withBytes<Result>(
        _ first: String, _ second: String,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(TimelineCodecError) -> Result
    ) throws(TimelineCodecError) -> Result {
        var first = first
        var second = second
        return try first.withUTF8 { first in
            second.withUTF8 { second in
                Swift.Result { () throws(TimelineCodecError) in try body(UnsafeRawBufferPointer(first), UnsafeRawBufferPointer(second)) }
            }
        }.get()
    }
}
