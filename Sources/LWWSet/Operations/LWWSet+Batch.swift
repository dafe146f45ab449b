import CRingside

/// Batches: many writes or selects at once, with the same results as one at a time, faster
/// on sets larger than the CPU's caches.
///
/// One operation at a time walks a chain of dependent cache misses (key slot, then the key's
/// state, then the sets' hash slots and order, then records, then for a trim the lowest
/// member's slot) and waits out each link. A batch instead takes its operations in groups of
/// `batchWidth` and walks one link of every operation of a group before the next link of
/// any: each pass is a short loop over the group that prefetches what the next pass reads,
/// so the misses of the whole group overlap, and each pass finds its lines arrived (a pass
/// over the group takes about as long as one miss). The last pass runs the operations in
/// order on cached lines. The passes before it read only what the set holds before the
/// group runs and change nothing (key numbers and hashes carry over, never pointers), so
/// their prefetches are hints, and an operation whose key was not known when its key was
/// looked up takes the one-at-a-time path, which sees the writes before it. What they found
/// of where a write's member is absent carries over too, used only by a write whose key no
/// earlier write of its group may have written.
/// The single writer applies what it drained from a ring this way.
extension LWWSet {
    /// The most operations in flight at once in a batch: the size of a group.
    public static let batchWidth = Pending.Group.count

    /// Applies the writes of `batch` in order, exactly as `write(_:key:score:member:)` one
    /// at a time would, and reports each one's outcome (or its error, which changed nothing)
    /// through `outcome`, in order, with its index in `batch`.
    ///
    /// The writes' bytes must stay valid and unchanged until this returns.
    public mutating func write(
        _ batch: UnsafeBufferPointer<BorrowedWrite>,
        outcome: (_ index: Int, _ result: Result<WriteOutcome, LWWSetError>) -> Void
    ) {
        // Once for the whole batch: nothing can share the states while this runs (writes to
        // new keys append to them, which keeps them unique).
        makeStatesUnique()
        var storage = Pending.Group(repeating: Pending())
        // Read and written by unchecked offsets below `size` (see below).
        var group = storage.mutableSpan
        var start = 0
        while start < batch.count {
            // Offsets in the group below `size`, at most the group's count: no bounds checks.
            let size = min(Self.batchWidth, batch.count &- start)
            let writes = UnsafeBufferPointer(rebasing: batch[start ..< start &+ size])
            Self.prefetch(writes, into: &group, hasher, keys, states, maxSize: maxSize)
            var written = WrittenKeys()
            for op in 0 ..< size {
                // Two calls, so that the common one hands over a result known to be a
                // success, which needs no destroying after it (a failure's may own a string).
                do throws(LWWSetError) {
                    let applied = try runPending(writes[op], group[unchecked: op], &written)
                    outcome(start &+ op, .success(applied))
                } catch {
                    outcome(start &+ op, .failure(error))
                }
            }
            start &+= size
        }
    }

    /// Applies the writes of `batch` in order, exactly as `write(_:outcome:)` does, but
    /// reports only the failures (through `failure`, in order, with their index in `batch`)
    /// and returns how many writes were applied: for a writer that counts outcomes and needs
    /// no applied write's bytes, without a call per write across the module boundary.
    ///
    /// The writes' bytes must stay valid and unchanged until this returns.
    public mutating func writeCountingApplied(
        _ batch: UnsafeBufferPointer<BorrowedWrite>, failure: (_ index: Int, _ error: LWWSetError) -> Void
    ) -> Int {
        var applied = 0
        // A closure of this module: the compiler specializes `write(_:outcome:)` for it.
        write(batch) { index, result in
            switch result {
            case .success(let outcome): if outcome.isApplied { applied &+= 1 }
            case .failure(let error): failure(index, error)
            }
        }
        return applied
    }

    /// The passes of a group before the last: each op's `Pending`, every link of the
    /// group's chains prefetched in turn. Out of line, so that the last pass, which the
    /// writer's loop holds, is compiled with the writes it runs inlined into it.
    ///
    /// The passes take the fields they read (the states, the key table), never the set
    /// whole: a copy of the set per pass would reload the totals the writes just stored,
    /// and a load that spans two pending stores waits for the store buffer to drain, write
    /// misses included.
    @inline(never)
    private static func prefetch(
        _ writes: UnsafeBufferPointer<BorrowedWrite>, into group: inout MutableSpan<Pending>, _ hasher: ByteHasher,
        _ keys: borrowing KeyTable, _ states: KeyStates, maxSize: Int
    ) {
        // Offsets in the group below `writes.count`, at most the group's count: no bounds checks.
        let size = writes.count
        for op in 0 ..< size {
            group[unchecked: op] = locate(writes[op], hasher, keys)
        }
        for op in 0 ..< size {
            group[unchecked: op].findCandidate(keys, states, lines: 2)
        }
        prefetchPass(.slotsAndOrder, size, &group, states, keys, maxSize: maxSize)
        // The lowest slots only a full target's trim removes (none while sets grow).
        if prefetchPass(.records, size, &group, states, keys, maxSize: maxSize) {
            prefetchPass(.lowestSlot, size, &group, states, keys, maxSize: maxSize)
        }
    }

    /// One of passes three to five over a group (`prefetchSlotsAndOrder`, `prefetchRecords`,
    /// then the lowest slot of a full target), returning whether any of its writes has a
    /// full target. Out of line, as `prefetch`, so that the compiler inlines what each op's
    /// step calls (a function that inlines too much stops inlining). The passes read only
    /// the ops' `Pending`s (the first `size` of the group), which hold what they need of
    /// the writes.
    @inline(never)
    @discardableResult
    private static func prefetchPass(
        _ stage: PrefetchStage, _ size: Int, _ group: inout MutableSpan<Pending>,
        _ states: KeyStates, _ keys: borrowing KeyTable, maxSize: Int
    ) -> Bool {
        var anyFullTarget = false
        // Offsets in the group below `size`, at most the group's count: no bounds checks.
        switch stage {
        case .slotsAndOrder:
            for op in 0 ..< size {
                prefetchSlotsAndOrder(group[unchecked: op], states, keys, maxSize: maxSize)
            }
        case .records:
            for op in 0 ..< size where prefetchRecords(&group[unchecked: op], states, maxSize: maxSize) {
                anyFullTarget = true
            }
        case .lowestSlot:
            for op in 0 ..< size where group[unchecked: op].number >= 0 {
                let state = states.unsafeState(Int(group[unchecked: op].number))
                switch group[unchecked: op].kind {
                case .insert: state.pointee.add.prefetchLowestSlot(maxSize: maxSize)
                case .delete: state.pointee.remove.prefetchLowestSlot(maxSize: maxSize)
                }
            }
        }
        return anyFullTarget
    }

    /// Runs the selects of `batch` in order, each into `selection` as
    /// `select(key:offset:limit:into:)` would, and hands each result to `each` with its
    /// index in `batch`, before the next select replaces the selection's contents.
    ///
    /// Throws, running none of them, when a select has a negative offset or limit.
    /// The keys' bytes must stay valid and unchanged until this returns.
    public func select(
        _ batch: UnsafeBufferPointer<BorrowedSelect>, into selection: inout Selection,
        each: (_ index: Int, _ selection: Selection) -> Void
    ) throws(LWWSetError) {
        for select in batch {
            guard select.offset >= 0 else { throw .negativeOffset(select.offset) }
            guard select.limit >= 0 else { throw .negativeLimit(select.limit) }
        }
        // A select changes nothing, so what the passes work out of a set stays true for the
        // whole batch (the pointers of its range included), and the last pass uses it as is.
        var group = PendingSelect.Group(repeating: PendingSelect())
        var start = 0
        while start < batch.count {
            // Offsets in the group below `size`, at most the group's count: no bounds checks.
            let size = min(PendingSelect.Group.count, batch.count &- start)
            let selects = UnsafeBufferPointer(rebasing: batch[start ..< start &+ size])
            for op in 0 ..< size {
                let keyHash = hasher.hash(selects[op].key)
                keys.prefetchSlot(hash: keyHash)
                group[op] = PendingSelect(key: Pending(keyHash: keyHash, number: Pending.unknown))
            }
            for op in 0 ..< size {
                group[op].key.findCandidate(keys, states, lines: 1)
            }
            for op in 0 ..< size {
                let number = group[op].key.number
                guard number >= 0 else { continue }
                keys.prefetchBytes(of: unsafeState(Int(number)).pointee.name)
                group[op].range = selectRange(keyNumber: Int(number), offset: selects[op].offset, limit: selects[op].limit)
                group[op].range.prefetchOrder()
            }
            for op in 0 ..< size {
                group[op].range.prefetchRecords()
            }
            for op in 0 ..< size {
                let select = selects[op]
                let pending = group[op]
                if pending.key.number >= 0 && isKey(Int(pending.key.number), select.key) {
                    pending.range.select(into: &selection) { _, _ in false }
                } else {
                    self.select(
                        keyNumber: keyNumber(select.key, hash: pending.key.keyHash), offset: select.offset,
                        limit: select.limit, into: &selection)
                }
                each(start &+ op, selection)
            }
            start &+= size
        }
    }

    /// What the passes of a batch of selects have learned of one select: its key's, and the
    /// entries it takes from the candidate key's add set (until the last pass confirms the key).
    struct PendingSelect {
        /// The selects of one group, in flight together (as many as a group of writes).
        typealias Group = InlineArray<32, PendingSelect>

        /// The key's hash and candidate number.
        var key = Pending()
        /// The entries of the candidate key's add set that the select takes (none while
        /// there is no candidate).
        var range = SelectRange()
    }

    /// What the passes of a batch have learned of one operation.
    struct Pending {
        /// The operations of one group, in flight together.
        typealias Group = InlineArray<32, Pending>
        /// `number` of an invalid write, which no pass looks at.
        static let invalid: Int32 = -2
        /// `number` while no key is known for the operation.
        static let unknown: Int32 = -1

        /// The hash of the operation's key.
        var keyHash: UInt32 = 0
        /// The hash of a write's member.
        var memberHash: UInt32 = 0
        /// The number of the key whose tag matches `keyHash` (unconfirmed until the
        /// operation runs), or `unknown` or `invalid`.
        var number: Int32 = Pending.invalid
        /// Where a write's records pass found its member absent from the key's sets.
        var emptySlots = EmptySlots()
        /// A valid write's member length (at most `maximumMemberLength`, which 16 bits
        /// hold): the passes after the first prefetch its record.
        var memberLength: UInt16 = 0
        /// A valid write's kind (which of the key's sets it targets).
        var kind = WriteKind.insert

        /// The size of a valid write's record in its target.
        var recordSize: Int { MemberRecord.headerSize &+ Int(memberLength) }

        /// Pass two: the key number its tag suggests, and a prefetch of that key's state:
        /// its first line (all that a select reads), or both (a write).
        @inline(__always)
        mutating func findCandidate(_ keys: borrowing KeyTable, _ states: KeyStates, lines: Int) {
            guard number == Self.unknown, let candidate = keys.candidate(hash: keyHash) else { return }
            number = Int32(truncatingIfNeeded: candidate)
            states.prefetch(candidate, lines: lines)
        }
    }

    /// Pass one of a write: validity, the key's and member's hashes, and a prefetch of
    /// the key's home slot.
    @inline(__always)
    private static func locate(_ write: BorrowedWrite, _ hasher: ByteHasher, _ keys: borrowing KeyTable) -> Pending {
        guard (try? validate(score: write.score, key: write.key, member: write.member)) != nil else {
            return Pending()
        }
        let keyHash = hasher.hash(write.key)
        keys.prefetchSlot(hash: keyHash)
        // The member was validated: its length fits.
        return Pending(
            keyHash: keyHash, memberHash: hasher.hash(write.member), number: Pending.unknown,
            memberLength: UInt16(truncatingIfNeeded: write.member.count), kind: write.kind)
    }

    /// Pass three of a write: the key's bytes and the hash slots each set's member check
    /// reads and the lines the target's add writes.
    @inline(__always)
    private static func prefetchSlotsAndOrder(
        _ pending: Pending, _ states: KeyStates, _ keys: borrowing KeyTable, maxSize: Int
    ) {
        guard pending.number >= 0 else { return }
        let state = states.unsafeState(Int(pending.number))
        keys.prefetchBytes(of: state.pointee.name)
        let recordSize = pending.recordSize
        state.pointee.add.prefetchSlotsAndOrder(
            hash: pending.memberHash, recordSize: recordSize, isTarget: pending.kind == .insert, maxSize: maxSize)
        state.pointee.remove.prefetchSlotsAndOrder(
            hash: pending.memberHash, recordSize: recordSize, isTarget: pending.kind == .delete, maxSize: maxSize)
    }

    /// Pass four of a write: the records the member check compares, the order's ends where
    /// a member found is looked for, and the lowest entry of a full target, keeping in
    /// `pending` where the member was found absent. Returns whether the target is full
    /// (pass five then prefetches the hash slot its trim removes).
    @inline(__always)
    private static func prefetchRecords(_ pending: inout Pending, _ states: KeyStates, maxSize: Int) -> Bool {
        guard pending.number >= 0 else { return false }
        let state = states.unsafeState(Int(pending.number))
        let recordSize = pending.recordSize
        let add = state.pointee.add.prefetchRecords(
            hash: pending.memberHash, recordSize: recordSize, isTarget: pending.kind == .insert, maxSize: maxSize)
        let remove = state.pointee.remove.prefetchRecords(
            hash: pending.memberHash, recordSize: recordSize, isTarget: pending.kind == .delete, maxSize: maxSize)
        pending.emptySlots = EmptySlots(add: add.emptySlot, remove: remove.emptySlot)
        return add.isFullTarget || remove.isFullTarget
    }

    /// The last pass of a write: runs it on the key found (confirmed by its bytes), or by
    /// the one-at-a-time path when there is none (an invalid write, or a key new to the set).
    /// `written` holds the keys the group's writes before this one have written: what the
    /// passes learned of the key's sets before the group ran holds only if this is not one.
    @inline(__always)
    private mutating func runPending(
        _ write: BorrowedWrite, _ pending: Pending, _ written: inout WrittenKeys
    ) throws(LWWSetError) -> WriteOutcome {
        if pending.number >= 0 && states.unsafeState(Int(pending.number)).pointee.name.names(write.key, in: keys) {
            let emptySlots = written.mark(Int(pending.number)) ? EmptySlots() : pending.emptySlots
            return try applyToUniqueStates(
                write.kind, toKey: Int(pending.number), score: write.score, member: write.member, hash: pending.memberHash,
                emptySlots: emptySlots)
        }
        // The one-at-a-time path may write any key (or add one).
        written.markAll()
        return try self.write(write.kind, rawKey: write.key, score: write.score, rawMember: write.member)
    }

    /// The keys that the last pass of a group has written so far: a filter of 256 bits over
    /// their numbers, which may answer that a key was written when it was not (costing that
    /// write a probe of its sets), never the reverse.
    struct WrittenKeys {
        /// Bit `n & 255` is set once key `n` (or another with the same low bits) is written.
        private var bits = InlineArray<4, UInt64>(repeating: 0)

        /// Marks key `number` written, returning whether it may have been written before.
        @inline(__always)
        mutating func mark(_ number: Int) -> Bool {
            let word = (number &>> 6) & 3
            let bit: UInt64 = 1 &<< UInt64(number & 63)
            let before = bits[word] & bit != 0
            bits[word] |= bit
            return before
        }

        /// Marks every key written (after a write that may have written any key).
        mutating func markAll() {
            bits = InlineArray(repeating: ~0)
        }
    }
}
