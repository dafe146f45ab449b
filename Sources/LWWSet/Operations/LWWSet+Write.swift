extension LWWSet {
    /// Inserts `member` under `key` at `score`, by the rules of `write(_:key:score:member:)`.
    @inlinable
    @discardableResult
    public mutating func insert(
        key: some Collection<UInt8>, score: Double, member: some Collection<UInt8>
    ) throws(LWWSetError) -> WriteOutcome {
        try write(.insert, key: key, score: score, member: member)
    }

    /// Deletes `member` under `key` at `score` (stores a tombstone), by the rules of
    /// `write(_:key:score:member:)`.
    @inlinable
    @discardableResult
    public mutating func delete(
        key: some Collection<UInt8>, score: Double, member: some Collection<UInt8>
    ) throws(LWWSetError) -> WriteOutcome {
        try write(.delete, key: key, score: score, member: member)
    }

    /// Applies a write of `kind`, Roshi's rules in order. The target is the add set for an
    /// insert and the remove set for a delete; the other set is the opposite one.
    ///
    /// 1. Size gate: if the target holds `maxSize` or more entries and `score` is below the
    ///    lowest score in it, the write is ignored.
    /// 2. Member check: if the member is in the add set with a higher score, the write is
    ///    ignored; otherwise, if it is in the remove set with a higher or equal score, the
    ///    write is ignored.
    /// 3. Apply: the member leaves the other set and is put in the target at `score`; then
    ///    the target is trimmed back to `maxSize` entries, lowest score first and, among
    ///    equal lowest scores, smallest member bytes first (the new entry may be dropped).
    ///
    /// So at equal scores a delete beats an insert in either order, replaying a write
    /// changes nothing, and deleting a member never inserted stores a tombstone.
    /// Key and member may be any byte collection; contiguous ones (arrays, slices,
    /// `String.UTF8View`, raw buffers) are read in place without copying.
    /// Throws for a NaN score or an over-long key or member, changing nothing.
    @inlinable
    @discardableResult
    public mutating func write(
        _ kind: WriteKind, key: some Collection<UInt8>, score: Double, member: some Collection<UInt8>
    ) throws(LWWSetError) -> WriteOutcome {
        try withContiguousBytes(of: key) { key in
            withContiguousBytes(of: member) { member in
                Result { () throws(LWWSetError) in try self.write(kind, rawKey: key, score: score, rawMember: member) }
            }
        }.get()
    }

    @usableFromInline
    mutating func write(
        _ kind: WriteKind, rawKey key: UnsafeRawBufferPointer, score: Double, rawMember member: UnsafeRawBufferPointer
    ) throws(LWWSetError) -> WriteOutcome {
        try Self.validate(score: score, key: key, member: member)
        let keyHash = hasher.hash(key)
        let number: Int
        if let existing = keyNumber(key, hash: keyHash) {
            number = existing
        } else {
            number = try addKey(key, hash: keyHash)
        }
        // The first stage of a batch's prefetching, here too: the misses on each set's hash
        // slots and on where the target stores overlap, rather than follow one another.
        let hash = hasher.hash(member)
        let state = unsafeState(number)
        let recordSize = MemberRecord.headerSize + member.count
        state.pointee.add.prefetchSlotsAndOrder(hash: hash, recordSize: recordSize, isTarget: kind == .insert, maxSize: maxSize)
        state.pointee.remove.prefetchSlotsAndOrder(hash: hash, recordSize: recordSize, isTarget: kind == .delete, maxSize: maxSize)
        return try apply(kind, toKey: number, score: score, member: member, hash: hash)
    }

    /// Adds `key`, whose hash is `hash` and which the set does not hold, with empty sets,
    /// and returns its number. A write to a new key always applies (its sets are empty), so
    /// the write that calls this keeps the key. Out of line: it runs once per key, and the
    /// write's own code keeps to its common path.
    @inline(never)
    mutating func addKey(_ key: UnsafeRawBufferPointer, hash: UInt32) throws(LWWSetError) -> Int {
        let number = keys.count
        let name = try keys.append(key, hash: hash)
        makeStatesUnique()
        states.append(name)
        return number
    }

    /// Throws when a write's score, key or member is one the set refuses.
    @inline(__always)
    static func validate(score: Double, key: UnsafeRawBufferPointer, member: UnsafeRawBufferPointer) throws(LWWSetError) {
        guard !score.isNaN else { throw .notANumber }
        guard key.count <= maximumKeyLength else { throw .keyTooLong(length: key.count) }
        guard member.count <= maximumMemberLength else { throw .memberTooLong(length: member.count) }
    }

    /// Applies a validated write to the sets of key `number`, keeping the totals.
    @inline(__always)
    mutating func apply(
        _ kind: WriteKind, toKey number: Int, score: Double, member: UnsafeRawBufferPointer, hash: UInt32
    ) throws(LWWSetError) -> WriteOutcome {
        makeStatesUnique()
        return try applyToUniqueStates(kind, toKey: number, score: score, member: member, hash: hash)
    }

    /// `apply(_:toKey:score:member:hash:)` when the states are known not to be shared (a
    /// batch makes them unique once, for all its writes, and passes what its passes learned
    /// of where the member is not in `emptySlots`).
    @inline(__always)
    mutating func applyToUniqueStates(
        _ kind: WriteKind, toKey number: Int, score: Double, member: UnsafeRawBufferPointer, hash: UInt32,
        emptySlots: EmptySlots = EmptySlots()
    ) throws(LWWSetError) -> WriteOutcome {
        let state = unsafeState(number)
        // A timeline's usual write (a new member) is an add and nothing else.
        switch try state.pointee.addIfNew(kind, score: score, member: member, hash: hash, maxSize: maxSize, emptySlots: emptySlots) {
        // The totals count entries held in buffers: they cannot come near `Int.max`.
        case .insert?:
            entries &+= 1
            return .applied
        case .delete?:
            tombstones &+= 1
            return .applied
        case nil:
            break
        }
        let added = state.pointee.add.count
        let removed = state.pointee.remove.count
        let outcome = try state.pointee.apply(
            kind, score: score, member: member, hash: hash, maxSize: maxSize, emptySlots: emptySlots)
        entries += state.pointee.add.count - added
        tombstones += state.pointee.remove.count - removed
        return outcome
    }
}

/// Where a batch's records stage found a write's member absent from each of its key's sets
/// (`WriteProbe.emptySlot`, or `ScoredSet.unknownSlot`), carried to the write's last pass so
/// that its member check does not probe the slots again. Valid only while neither set has
/// changed since that stage.
struct EmptySlots {
    /// The add set's.
    var add = ScoredSet.unknownSlot
    /// The remove set's.
    var remove = ScoredSet.unknownSlot
}

extension KeyState {
    /// The three rules of `LWWSet.write(_:key:score:member:)` on this key's sets. A set with
    /// a known empty slot in `emptySlots` does not hold the member (no probe needed).
    mutating func apply(
        _ kind: WriteKind, score: Double, member: UnsafeRawBufferPointer, hash: UInt32, maxSize: Int,
        emptySlots: EmptySlots
    ) throws(LWWSetError) -> WriteOutcome {
        // 1. Size gate.
        let gated = switch kind {
        case .insert: Self.isFull(add, below: score, maxSize: maxSize)
        case .delete: Self.isFull(remove, below: score, maxSize: maxSize)
        }
        if gated { return .ignoredBySizeGate }
        // 2. Member check, the same for both kinds. A search that does not find the member
        // tells where an add of it stores it: the add does not probe again.
        let visible = emptySlots.add >= 0
            ? ScoredSet.MemberSlot(record: nil, emptySlot: emptySlots.add) : add.search(member, hash: hash)
        if let record = visible.record, add.score(of: record) > score { return .ignoredByNewerInsert }
        let tombstone = emptySlots.remove >= 0
            ? ScoredSet.MemberSlot(record: nil, emptySlot: emptySlots.remove) : remove.search(member, hash: hash)
        if let record = tombstone.record, remove.score(of: record) >= score { return .ignoredByNewerDelete }
        // 3. Apply and trim.
        switch kind {
        case .insert:
            try Self.put(member, hash: hash, score: score, into: &add, at: visible, leaving: &remove, at: tombstone.record,
                         maxSize: maxSize)
        case .delete:
            try Self.put(member, hash: hash, score: score, into: &remove, at: tombstone, leaving: &add, at: visible.record,
                         maxSize: maxSize)
        }
        return .applied
    }

    /// Rule 3 alone, when the rules reduce to it: when the target holds fewer than `maxSize`
    /// entries (rule 1 passes the write, and the trim drops nothing) and the member is in
    /// neither set (rule 2 finds nothing, and nothing leaves the other set), adds the member
    /// to the target and returns the target's kind; returns nil, changing nothing, when the
    /// rules must run in full. The other set must be empty or have its empty slot in
    /// `emptySlots`; the target is searched unless its empty slot is there.
    @inline(__always)
    mutating func addIfNew(
        _ kind: WriteKind, score: Double, member: UnsafeRawBufferPointer, hash: UInt32, maxSize: Int,
        emptySlots: EmptySlots
    ) throws(LWWSetError) -> WriteKind? {
        switch kind {
        case .insert:
            guard add.count < maxSize && (emptySlots.remove >= 0 || remove.count == 0),
                  let slot = Self.emptySlot(of: member, hash: hash, in: add, known: emptySlots.add) else { return nil }
            try add.add(member, hash: hash, score: score, emptySlot: slot)
        case .delete:
            guard remove.count < maxSize && (emptySlots.add >= 0 || add.count == 0),
                  let slot = Self.emptySlot(of: member, hash: hash, in: remove, known: emptySlots.remove) else { return nil }
            try remove.add(member, hash: hash, score: score, emptySlot: slot)
        }
        return kind
    }

    /// Where an add of `member` to `set` stores it (`known` when a batch found it), or nil
    /// when the member is in the set.
    @inline(__always)
    private static func emptySlot(
        of member: UnsafeRawBufferPointer, hash: UInt32, in set: borrowing ScoredSet, known: Int32
    ) -> Int32? {
        guard known < 0 else { return known }
        let found = set.search(member, hash: hash)
        return found.record == nil ? found.emptySlot : nil
    }

    /// Whether `set` holds `maxSize` or more entries and `score` is below its lowest.
    private static func isFull(_ set: borrowing ScoredSet, below score: Double, maxSize: Int) -> Bool {
        guard set.count >= maxSize, let lowest = set.lowestScore else { return false }
        return score < lowest
    }

    /// Puts the member in `target` at `score` (moving the record `existing` found, or
    /// adding it where `existing` says), takes `stale` out of `other`, and trims `target`.
    /// The add comes first: it is the one step that can throw, and it throws before
    /// anything has changed.
    private static func put(
        _ member: UnsafeRawBufferPointer, hash: UInt32, score: Double,
        into target: inout ScoredSet, at existing: ScoredSet.MemberSlot,
        leaving other: inout ScoredSet, at stale: UInt32?,
        maxSize: Int
    ) throws(LWWSetError) {
        if let record = existing.record {
            target.setScore(score, of: record)
        } else {
            try target.add(member, hash: hash, score: score, emptySlot: existing.emptySlot)
        }
        if let record = stale {
            other.remove(record)
        }
        target.trim(to: maxSize)
    }
}
