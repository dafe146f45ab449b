/// One sorted set of unique members with scores: a key's add set or its remove set.
///
/// Storage is three contiguous buffers, never an object per element:
/// - `arena`: the members as `MemberRecord`s (score, length, hash, bytes), appended in
///   write order; a member that leaves is marked dead and its bytes are reclaimed by an
///   in-place compaction once dead bytes reach half of the arena and it is full;
/// - `order`: the live records' offsets sorted ascending by (score, member bytes), from
///   `head` on; removing the lowest entry only advances `head`, and the space before it is
///   reused by later inserts near the bottom or reclaimed when the buffer is full;
/// - `index`: member → record, for membership tests and removal by member.
///
/// Appending above the current top (increasing scores, the common case) and trimming the
/// lowest are amortised O(1); an insert elsewhere moves the shorter side of `order`.
/// Positions are ascending ranks: 0 is the lowest entry, `count - 1` the top.
struct ScoredSet: Sendable {
    private var order: [UInt32] = []
    private var head = 0
    private var arena: [UInt8] = []
    private var deadBytes = 0
    private var index = SlotIndex()
    /// The total length of the live members' own bytes.
    private(set) var memberBytes = 0

    /// The number of entries.
    var count: Int { order.count - head }

    /// Heap bytes reserved by the three buffers (see `LWWSet.Statistics.reservedBytes`).
    var reservedBytes: Int {
        LWWSet.footprint(capacity: order.capacity, stride: MemoryLayout<UInt32>.stride)
            + LWWSet.footprint(capacity: arena.capacity, stride: 1) + index.reservedBytes
    }

    /// The lowest score, or nil when the set is empty.
    var lowestScore: Double? {
        guard count > 0 else { return nil }
        return arena.withUnsafeBytes { MemberRecord.score($0, order[head]) }
    }

    /// The record holding `member` (whose hash is `hash`), or nil when it is not in the set.
    @inline(__always)
    func find(_ member: UnsafeRawBufferPointer, hash: UInt32) -> UInt32? {
        arena.withUnsafeBytes { arena in
            index.find(hash: hash) { record in
                MemberRecord.hash(arena, record) == hash && RawBytes.equal(MemberRecord.member(arena, record), member)
            }
        }
    }

    /// The score of the member in `record`.
    @inline(__always)
    func score(of record: UInt32) -> Double {
        arena.withUnsafeBytes { MemberRecord.score($0, record) }
    }

    // MARK: Writing

    /// Adds `member`, which is not in the set, at `score`. Throws, changing nothing, when the
    /// arena would pass the 4 GiB that its 32-bit offsets address.
    mutating func add(
        _ member: UnsafeRawBufferPointer, hash: UInt32, score: Double, hasher: ByteHasher
    ) throws(LWWSetError) {
        let size = MemberRecord.headerSize + member.count
        if arena.count + size > arena.capacity && deadBytes * 2 >= arena.count {
            compact(hasher: hasher)
        }
        guard arena.count + size <= Int(UInt32.max) else {
            throw .capacityExceeded(arenaBytes: arena.count - deadBytes, adding: size)
        }
        let record = UInt32(arena.count)
        var header = (score.bitPattern, UInt32(member.count), hash)
        withUnsafeBytes(of: &header) { arena.append(contentsOf: $0) }
        arena.append(contentsOf: member)
        arena.withUnsafeBytes { arena in
            index.insert(record, hash: hash) { MemberRecord.hash(arena, $0) }
        }
        insertIntoOrder(record, at: lowerBound(score: score, member: member))
        memberBytes += member.count
    }

    /// Moves the member in `record` to `score`.
    mutating func setScore(_ score: Double, of record: UInt32) {
        removeFromOrder(at: position(of: record))
        arena.withUnsafeMutableBytes { MemberRecord.setScore(score, $0, record) }
        let position = arena.withUnsafeBytes { arena in
            lowerBound(score: score, member: MemberRecord.member(arena, record))
        }
        insertIntoOrder(record, at: position)
    }

    /// Removes the member in `record`.
    mutating func remove(_ record: UInt32) {
        removeFromOrder(at: position(of: record))
        forget(record)
    }

    /// Drops the lowest entries (lowest score first, then smallest member bytes) until at
    /// most `maxSize` remain.
    mutating func trim(to maxSize: Int) {
        while count > maxSize {
            let lowest = order[head]
            removeFromOrder(at: 0)
            forget(lowest)
        }
    }

    // MARK: Reading

    /// The number of entries that order below (`score`, `member`): the ascending position at
    /// which that pair is, or would be inserted.
    func lowerBound(score: Double, member: UnsafeRawBufferPointer) -> Int {
        arena.withUnsafeBytes { arena in
            order.withUnsafeBufferPointer { order in
                var low = head
                var high = order.count
                // Writes with increasing scores land above the top: answer those at once.
                if low < high && MemberRecord.orders(arena, order[high - 1], below: score, member) {
                    return high - head
                }
                while low < high {
                    let middle = (low + high) / 2
                    if MemberRecord.orders(arena, order[middle], below: score, member) {
                        low = middle + 1
                    } else {
                        high = middle
                    }
                }
                return low - head
            }
        }
    }

    /// Calls `body` with the score and member bytes of the entries at positions `start`,
    /// `start - 1`, ... (highest first) until it returns false or position 0 has been visited.
    /// The member bytes are valid only during the call.
    func visitDescending(from start: Int, _ body: (Double, UnsafeRawBufferPointer) -> Bool) {
        guard start >= 0 && start < count else { return }
        arena.withUnsafeBytes { arena in
            order.withUnsafeBufferPointer { order in
                var slot = head + start
                while slot >= head {
                    let record = order[slot]
                    guard body(MemberRecord.score(arena, record), MemberRecord.member(arena, record)) else { return }
                    slot -= 1
                }
            }
        }
    }

    /// Calls `body` with every entry, lowest first. The member bytes are valid only during the call.
    func visitAscending<Failure: Error>(
        _ body: (Double, UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        // Array's withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        let failure: Failure? = arena.withUnsafeBytes { arena in
            for slot in head ..< order.count {
                let record = order[slot]
                do throws(Failure) {
                    try body(MemberRecord.score(arena, record), MemberRecord.member(arena, record))
                } catch {
                    return error
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    // MARK: Storage

    /// The ascending position of the live `record`.
    private func position(of record: UInt32) -> Int {
        arena.withUnsafeBytes { arena in
            lowerBound(score: MemberRecord.score(arena, record), member: MemberRecord.member(arena, record))
        }
    }

    /// Puts `record` at ascending `position`, moving the shorter side of `order`.
    private mutating func insertIntoOrder(_ record: UInt32, at position: Int) {
        let count = self.count
        if head > 0 && position < count - position {
            order.withUnsafeMutableBufferPointer { order in
                let base = UnsafeMutableRawPointer(order.baseAddress!)
                let stride = MemoryLayout<UInt32>.stride
                (base + (head - 1) * stride).copyMemory(from: base + head * stride, byteCount: position * stride)
                order[head - 1 + position] = record
            }
            head -= 1
            return
        }
        if head > 0 && order.count == order.capacity && head * 2 >= order.count {
            // Full, and at least half of it is space left by trimmed entries: reclaim it
            // instead of growing.
            order.removeSubrange(0 ..< head)
            head = 0
        }
        if position == count {
            order.append(record)
        } else {
            order.insert(record, at: head + position)
        }
    }

    /// Takes the entry at ascending `position` out of `order`, moving the shorter side.
    private mutating func removeFromOrder(at position: Int) {
        let count = self.count
        if position == 0 {
            head += 1
        } else if position < count - 1 - position {
            order.withUnsafeMutableBufferPointer { order in
                let base = UnsafeMutableRawPointer(order.baseAddress!)
                let stride = MemoryLayout<UInt32>.stride
                (base + (head + 1) * stride).copyMemory(from: base + head * stride, byteCount: position * stride)
            }
            head += 1
        } else {
            order.remove(at: head + position)
        }
    }

    /// Drops `record`, already out of `order`, from the index and marks it dead; an emptied
    /// set starts its buffers over (keeping their capacity).
    private mutating func forget(_ record: UInt32) {
        let field = arena.withUnsafeMutableBytes { arena in
            let field = MemberRecord.lengthField(UnsafeRawBufferPointer(arena), record)
            arena.storeBytes(of: field | MemberRecord.deadFlag, toByteOffset: Int(record) + 8, as: UInt32.self)
            return field
        }
        arena.withUnsafeBytes { arena in
            index.remove(record, hash: MemberRecord.hash(arena, record)) { MemberRecord.hash(arena, $0) }
        }
        deadBytes += MemberRecord.size(lengthField: field)
        memberBytes -= Int(field)
        if count == 0 {
            order.removeAll(keepingCapacity: true)
            head = 0
            arena.removeAll(keepingCapacity: true)
            deadBytes = 0
        }
    }

    /// Slides the live records to the front of the arena, in place: first each live record's
    /// new offset is written into its hash field, then `order` and `index` are forwarded,
    /// then the records move and their hashes are recomputed.
    private mutating func compact(hasher: ByteHasher) {
        var liveBytes = 0
        arena.withUnsafeMutableBytes { arena in
            var record = 0
            while record < arena.count {
                let field = arena.loadUnaligned(fromByteOffset: record + 8, as: UInt32.self)
                if field & MemberRecord.deadFlag == 0 {
                    arena.storeBytes(of: UInt32(liveBytes), toByteOffset: record + 12, as: UInt32.self)
                    liveBytes += MemberRecord.size(lengthField: field)
                }
                record += MemberRecord.size(lengthField: field)
            }
        }
        arena.withUnsafeBytes { arena in
            order.withUnsafeMutableBufferPointer { order in
                for slot in head ..< order.count {
                    order[slot] = MemberRecord.hash(arena, order[slot])
                }
            }
            index.remap { MemberRecord.hash(arena, $0) }
        }
        arena.withUnsafeMutableBytes { arena in
            let base = arena.baseAddress!
            var record = 0
            while record < arena.count {
                let field = arena.loadUnaligned(fromByteOffset: record + 8, as: UInt32.self)
                let size = MemberRecord.size(lengthField: field)
                if field & MemberRecord.deadFlag == 0 {
                    let destination = Int(arena.loadUnaligned(fromByteOffset: record + 12, as: UInt32.self))
                    (base + destination).copyMemory(from: base + record, byteCount: size)
                    let moved = UnsafeRawBufferPointer(arena)
                    let hash = hasher.hash(MemberRecord.member(moved, UInt32(destination)))
                    arena.storeBytes(of: hash, toByteOffset: destination + 12, as: UInt32.self)
                }
                record += size
            }
        }
        arena.removeLast(arena.count - liveBytes)
        deadBytes = 0
    }
}
