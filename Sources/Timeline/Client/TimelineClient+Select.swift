import Frames

// Selects: one key by offset and limit, several keys at once, and the cursor select.
extension TimelineClient {
    /// At most `limit` entries of `key` after skipping `offset`, highest score first (equal
    /// scores: members by bytes, highest first). Roshi's quirks hold: offset 0 with limit 0
    /// returns the whole set, a positive offset with limit 0 nothing; an unknown key gives
    /// no entries.
    public func select(key: some Collection<UInt8>, offset: Int = 0, limit: Int = 10) throws(TimelineClientError) -> [TimelineEntry] {
        let (offset, limit) = try Self.page(offset, limit)
        return try ByteView.with(key) { (key) throws(TimelineClientError) in
            switch configuration.encoding {
            case .binary:
                let request: TimelineRequest
                do throws(TimelineCodecError) {
                    request = try .select(key: key, offset: offset, limit: limit)
                } catch {
                    throw TimelineClientError(error)
                }
                return try records(request)
            case .json:
                return try entries(requestJSON(.select(key: try ByteView.text(key, "key"), offset: offset, limit: limit)))
            }
        }
    }

    /// At most `limit` entries of each of `keys` after skipping `offset` in each, as one
    /// request (as Roshi's select of several keys): per key, in the order asked.
    public func select<Key: Collection<UInt8>>(keys: [Key], offset: Int = 0, limit: Int = 10) throws(TimelineClientError) -> [TimelineKeyEntries] {
        let (offset, limit) = try Self.page(offset, limit)
        switch configuration.encoding {
        case .binary:
            let size = keys.reduce(0) { $0 + 2 + $1.count }
            return try withUnsafeTemporaryAllocation(byteCount: max(size, 1), alignment: 8) { (scratch) throws(TimelineClientError) in
                var writer = TimelineKeysWriter(scratch)
                for key in keys {
                    try ByteView.with(key) { (key) throws(TimelineClientError) in
                        do throws(TimelineCodecError) {
                            try writer.append(key)
                        } catch {
                            throw TimelineClientError(error)
                        }
                    }
                }
                let request = TimelineRequest.select(keys: writer.keys, offset: offset, limit: limit)
                return try binaryAnswer(request) { response throws(TimelineClientError) in
                    guard case .results(let results) = response else {
                        throw .protocolViolation("a select of several keys was answered without per-key results")
                    }
                    return results.map { TimelineKeyEntries(key: Array($0.unsafeKey), entries: Self.copy($0.records)) }
                }
            }
        case .json:
            var names: [String] = []
            names.reserveCapacity(keys.count)
            for key in keys {
                names.append(try ByteView.with(key) { (key) throws(TimelineClientError) in try ByteView.text(key, "key") })
            }
            guard case .results(let results) = try requestJSON(.selectKeys(keys: names, offset: offset, limit: limit)) else {
                throw .protocolViolation("a select of several keys was answered without \"results\"")
            }
            return names.map { name in
                TimelineKeyEntries(
                    key: Array(name.utf8), entries: (results[name] ?? []).map { TimelineEntry(member: $0.member, score: $0.score) })
            }
        }
    }

    /// The cursor select: at most `limit` entries of `key` strictly after `start` (nil: from
    /// the top) and strictly before `stop` (nil: to the bottom), highest first. The last
    /// entry of one page is the `after` of the next.
    public func range(
        key: some Collection<UInt8>, after start: TimelineEntry? = nil, before stop: TimelineEntry? = nil, limit: Int = 10
    ) throws(TimelineClientError) -> [TimelineEntry] {
        let (_, limit) = try Self.page(0, limit)
        return try ByteView.with(key, start?.member ?? []) { (key, startMember) throws(TimelineClientError) in
            try ByteView.with(stop?.member ?? []) { (stopMember) throws(TimelineClientError) in
                switch configuration.encoding {
                case .binary:
                    let request: TimelineRequest
                    do throws(TimelineCodecError) {
                        request = try .range(
                            key: key, start: start.map { TimelineCursor(score: $0.score, member: startMember) },
                            stop: stop.map { TimelineCursor(score: $0.score, member: stopMember) }, limit: limit)
                    } catch {
                        throw TimelineClientError(error)
                    }
                    return try records(request)
                case .json:
                    let startCursor = try start.map { (start) throws(TimelineClientError) in
                        TimelineJSONCursor(score: start.score, member: try ByteView.text(startMember, "start member"))
                    }
                    let stopCursor = try stop.map { (stop) throws(TimelineClientError) in
                        TimelineJSONCursor(score: stop.score, member: try ByteView.text(stopMember, "stop member"))
                    }
                    return try entries(
                        requestJSON(.range(key: try ByteView.text(key, "key"), start: startCursor, stop: stopCursor, limit: limit)))
                }
            }
        }
    }

    // MARK: Answers

    /// Sends a binary select or range and copies the records of its answer.
    func records(_ request: TimelineRequest) throws(TimelineClientError) -> [TimelineEntry] {
        try binaryAnswer(request) { response throws(TimelineClientError) in
            guard case .records(let records) = response else { throw .protocolViolation("a select was answered without records") }
            return Self.copy(records)
        }
    }

    /// Sends a binary request-response and reads its answer in place with `body`.
    func binaryAnswer<Result>(
        _ request: TimelineRequest, _ body: (TimelineResponse) throws(TimelineClientError) -> Result
    ) throws(TimelineClientError) -> Result {
        try withUnsafeTemporaryAllocation(byteCount: request.encodedByteCount, alignment: 8) { (buffer) throws(TimelineClientError) in
            request.unsafeEncode(into: buffer)
            return try self.request(UnsafeRawBufferPointer(buffer)) { view in
                Swift.Result { () throws(TimelineClientError) in
                    let response: TimelineResponse
                    do throws(TimelineCodecError) {
                        response = try TimelineResponse(decoding: view.unsafeData)
                    } catch {
                        throw .protocolViolation("the server's answer: \(error)")
                    }
                    return try body(response)
                }
            }.get()
        }
    }

    /// The entries of a JSON select or range answer.
    func entries(_ response: TimelineJSONResponse) throws(TimelineClientError) -> [TimelineEntry] {
        guard case .records(let records) = response else { throw .protocolViolation("a select was answered without \"records\"") }
        return records.map { TimelineEntry(member: $0.member, score: $0.score) }
    }

    /// Copies of records read in place.
    static func copy(_ records: TimelineRecords) -> [TimelineEntry] {
        var entries: [TimelineEntry] = []
        entries.reserveCapacity(records.count)
        for record in records { entries.append(TimelineEntry(member: Array(record.unsafeMember), score: record.score)) }
        return entries
    }

    /// An offset and limit checked for the layout's u32 fields.
    static func page(_ offset: Int, _ limit: Int) throws(TimelineClientError) -> (UInt32, UInt32) {
        guard let offset = UInt32(exactly: offset) else { throw .invalidRequest("offset \(offset); 0 to \(UInt32.max)") }
        guard let limit = UInt32(exactly: limit) else { throw .invalidRequest("limit \(limit); 0 to \(UInt32.max)") }
        return (offset, limit)
    }
}
