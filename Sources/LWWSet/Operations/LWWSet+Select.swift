extension LWWSet {
    /// The visible entries of `key` at ranks `offset ..< offset + limit`, highest score
    /// first (equal scores: member bytes highest first), written into `selection`.
    ///
    /// An unknown key or an offset at or past the end gives no entries. Roshi's quirk is
    /// kept: offset 0 with limit 0 selects the whole set, while a positive offset with
    /// limit 0 selects nothing. Throws for a negative offset or limit.
    @inlinable
    public func select(
        key: some Collection<UInt8>, offset: Int, limit: Int, into selection: inout Selection
    ) throws(LWWSetError) {
        try withContiguousBytes(of: key) { key in
            Result { () throws(LWWSetError) in try select(rawKey: key, offset: offset, limit: limit, into: &selection) }
        }.get()
    }

    /// The visible entries of `key` at ranks `offset ..< offset + limit`, as
    /// `select(key:offset:limit:into:)` selects them, in a new selection.
    @inlinable
    public func select(key: some Collection<UInt8>, offset: Int, limit: Int) throws(LWWSetError) -> Selection {
        var selection = Selection()
        try select(key: key, offset: offset, limit: limit, into: &selection)
        return selection
    }

    /// At most `limit` visible entries of `key` that come strictly after `start` and strictly
    /// before `stop`, highest first, written into `selection`. A nil `start` begins at the
    /// top, a nil `stop` runs to the bottom; limit 0 selects nothing.
    ///
    /// After `start` means a lower score, or the same score and smaller member bytes; before
    /// `stop` means a higher score, or the same score and larger member bytes. Passing the
    /// last entry of one page as the next page's `start` pages through the set.
    /// Throws for a negative limit or a NaN cursor score.
    @inlinable
    public func select(
        key: some Collection<UInt8>, after start: Cursor?, before stop: Cursor?, limit: Int,
        into selection: inout Selection
    ) throws(LWWSetError) {
        try withContiguousBytes(of: key) { key in
            Result { () throws(LWWSetError) in
                try select(rawKey: key, after: start, before: stop, limit: limit, into: &selection)
            }
        }.get()
    }

    /// The entries that `select(key:after:before:limit:into:)` selects, in a new selection.
    @inlinable
    public func select(
        key: some Collection<UInt8>, after start: Cursor?, before stop: Cursor?, limit: Int
    ) throws(LWWSetError) -> Selection {
        var selection = Selection()
        try select(key: key, after: start, before: stop, limit: limit, into: &selection)
        return selection
    }

    /// The tombstones of `key`, highest score first (equal scores: member bytes highest
    /// first): what the remove set holds, for inspection.
    public func tombstones(key: some Collection<UInt8>) -> Selection {
        withContiguousBytes(of: key) { key in
            var selection = Selection()
            if let number = keyNumber(key) {
                let count = unsafeState(number).pointee.remove.count
                unsafeState(number).pointee.remove.select(from: count - 1, limit: count, into: &selection) { _, _ in false }
            }
            return selection
        }
    }

    @usableFromInline
    func select(
        rawKey key: UnsafeRawBufferPointer, offset: Int, limit: Int, into selection: inout Selection
    ) throws(LWWSetError) {
        guard offset >= 0 else { throw .negativeOffset(offset) }
        guard limit >= 0 else { throw .negativeLimit(limit) }
        let number = keyNumber(key)
        if let number {
            // One at a time, the record misses would wait for the order's: guess them now.
            let state = unsafeState(number)
            state.pointee.add.prefetchNewestRecords(
                from: offset, entries: Self.wanted(offset: offset, limit: limit, count: state.pointee.add.count))
        }
        select(keyNumber: number, offset: offset, limit: limit, into: &selection)
    }

    /// The select of `select(rawKey:offset:limit:into:)` with valid arguments, on the sets
    /// of key `number` (nil: an unknown key).
    @inline(__always)
    func select(keyNumber number: Int?, offset: Int, limit: Int, into selection: inout Selection) {
        guard let number else {
            selection.removeAll()
            return
        }
        selectRange(keyNumber: number, offset: offset, limit: limit).select(into: &selection) { _, _ in false }
    }

    /// The entries an offset/limit select with valid arguments takes from the add set of
    /// key `number`.
    @inline(__always)
    func selectRange(keyNumber number: Int, offset: Int, limit: Int) -> SelectRange {
        let count = unsafeState(number).pointee.add.count
        return SelectRange(
            unsafeState(number).pointee.add, from: count - 1 - offset,
            limit: Self.wanted(offset: offset, limit: limit, count: count))
    }

    /// The number of entries an offset/limit select takes from a set of `count`: `limit`,
    /// except Roshi's quirk, offset 0 with limit 0, which is the whole set.
    @inline(__always)
    static func wanted(offset: Int, limit: Int, count: Int) -> Int {
        offset == 0 && limit == 0 ? count : limit
    }

    @usableFromInline
    func select(
        rawKey key: UnsafeRawBufferPointer, after start: Cursor?, before stop: Cursor?, limit: Int,
        into selection: inout Selection
    ) throws(LWWSetError) {
        guard limit >= 0 else { throw .negativeLimit(limit) }
        if start?.score.isNaN == true || stop?.score.isNaN == true { throw .notANumber }
        guard let number = keyNumber(key) else {
            selection.removeAll()
            return
        }
        let first = start.map { start in
            start.member.withUnsafeBytes { unsafeState(number).pointee.add.lowerBound(score: start.score, member: $0) }
        } ?? unsafeState(number).pointee.add.count
        (stop?.member ?? []).withUnsafeBytes { stopMember in
            unsafeState(number).pointee.add.select(from: first - 1, limit: limit, into: &selection) { score, member in
                guard let stop else { return false }
                // Past the stop cursor: at or below it in the order.
                return score < stop.score || (score == stop.score && RawBytes.compare(member, stopMember) <= 0)
            }
        }
    }
}
