import CRingside

/// Batches: many writes or selects at once, with the same results as one at a time, faster
/// on sets larger than the CPU's caches.
///
/// One operation at a time walks a chain of dependent cache misses (key slot, then the key's
/// state, then the sets' hash slots and order, then records, then for a trim the lowest
/// member's slot) and waits out each link. A batch is software-pipelined instead: at each step it applies one
/// operation while the operations behind it stand at earlier stages of their chains, each
/// stage `stageDistance` operations behind the next, and each stage prefetches the lines the
/// next one reads. So every link's miss has `stageDistance` operations' worth of work to
/// arrive in, and the misses of `batchWidth` operations overlap. Each stage reads only what
/// the set holds at that moment (key numbers and hashes carry over, never pointers), so the
/// earlier operations' writes, which may add keys and move buffers, are always seen; an
/// operation whose key was not known when its key was looked up takes the one-at-a-time path.
/// The single writer applies what it drained from a ring this way.
extension LWWSet {
    /// The most operations in flight at once in a batch: `stageDistance` for each of the
    /// five stages before a write runs (a select has four).
    public static let batchWidth = 5 * stageDistance

    /// The operations between one stage of the pipeline and the next: enough work for a
    /// prefetched line to arrive before its stage reads it.
    static let stageDistance = 4

    /// Applies the writes of `batch` in order, exactly as `write(_:key:score:member:)` one
    /// at a time would, and reports each one's outcome (or its error, which changed nothing)
    /// through `outcome`, in order, with its index in `batch`.
    ///
    /// The writes' bytes must stay valid and unchanged until this returns.
    public mutating func write(
        _ batch: UnsafeBufferPointer<BorrowedWrite>,
        outcome: (_ index: Int, _ result: Result<WriteOutcome, LWWSetError>) -> Void
    ) {
        var ring = Pending.Ring(repeating: Pending())
        let distance = Self.stageDistance
        // Step `step` runs write `step - 5 * distance` and moves the five behind it on by a
        // stage; the oldest first, so that a ring entry is read before it is reused. The
        // stages take the fields they read (the states, the key table), never `self` whole:
        // a copy of the set per stage would reload the totals the write just stored, and a
        // load that spans two pending stores waits for the store buffer to drain, write
        // misses included.
        for step in 0 ..< batch.count + 5 * distance {
            var index = step - 5 * distance
            if index >= 0 {
                let result = runPending(batch[index], ring[index & Pending.mask])
                outcome(index, result)
            }
            index += distance
            if index >= 0 && index < batch.count {
                Self.prefetchSets(.lowestSlot, ring[index & Pending.mask], batch[index], states, keys, maxSize: maxSize)
            }
            index += distance
            if index >= 0 && index < batch.count {
                Self.prefetchSets(.records, ring[index & Pending.mask], batch[index], states, keys, maxSize: maxSize)
            }
            index += distance
            if index >= 0 && index < batch.count {
                Self.prefetchSets(.slotsAndOrder, ring[index & Pending.mask], batch[index], states, keys, maxSize: maxSize)
            }
            index += distance
            if index >= 0 && index < batch.count {
                ring[index & Pending.mask].findCandidate(keys, states, lines: 2)
            }
            index += distance
            if index < batch.count {
                ring[index & Pending.mask] = Self.locate(batch[index], hasher, keys)
            }
        }
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
        var ring = Pending.Ring(repeating: Pending())
        let distance = Self.stageDistance
        for step in 0 ..< batch.count + 4 * distance {
            var index = step - 4 * distance
            if index >= 0 {
                let select = batch[index]
                let pending = ring[index & Pending.mask]
                let number = pending.number >= 0 && isKey(Int(pending.number), select.key)
                    ? Int(pending.number) : keyNumber(select.key, hash: pending.keyHash)
                self.select(keyNumber: number, offset: select.offset, limit: select.limit, into: &selection)
                each(index, selection)
            }
            index += distance
            if index >= 0 && index < batch.count {
                prefetchTop(.records, ring[index & Pending.mask], batch[index])
            }
            index += distance
            if index >= 0 && index < batch.count {
                let pending = ring[index & Pending.mask]
                if pending.number >= 0 { keys.prefetchBytes(of: unsafeState(Int(pending.number)).pointee.name) }
                prefetchTop(.slotsAndOrder, pending, batch[index])
            }
            index += distance
            if index >= 0 && index < batch.count {
                ring[index & Pending.mask].findCandidate(keys, states, lines: 1)
            }
            index += distance
            if index < batch.count {
                let keyHash = hasher.hash(batch[index].key)
                keys.prefetchSlot(hash: keyHash)
                ring[index & Pending.mask] = Pending(keyHash: keyHash, number: Pending.unknown)
            }
        }
    }

    /// What the stages of a batch have learned of one operation.
    struct Pending {
        /// The ring of operations in flight: a power of two, at least `batchWidth`.
        typealias Ring = InlineArray<32, Pending>
        /// A ring index from an operation's index in the batch.
        static let mask = Ring.count - 1
        /// `number` of an invalid write, which no stage looks at.
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

        /// Stage two: the key number its tag suggests, and a prefetch of that key's state:
        /// its first line (all that a select reads), or both (a write).
        @inline(__always)
        mutating func findCandidate(_ keys: borrowing KeyTable, _ states: KeyStates, lines: Int) {
            guard number == Self.unknown, let candidate = keys.candidate(hash: keyHash) else { return }
            number = Int32(truncatingIfNeeded: candidate)
            states.prefetch(candidate, lines: lines)
        }
    }

    /// Stage one of a write: validity, the key's and member's hashes, and a prefetch of
    /// the key's home slot.
    @inline(__always)
    private static func locate(_ write: BorrowedWrite, _ hasher: ByteHasher, _ keys: borrowing KeyTable) -> Pending {
        guard (try? validate(score: write.score, key: write.key, member: write.member)) != nil else {
            return Pending()
        }
        let keyHash = hasher.hash(write.key)
        keys.prefetchSlot(hash: keyHash)
        return Pending(keyHash: keyHash, memberHash: hasher.hash(write.member), number: Pending.unknown)
    }

    /// Stages three to five of a write: the key's bytes and the hash slots each set's member
    /// check reads and the lines the target's add writes; then the records the member check
    /// compares, the order's ends where a member found is looked for, and the lowest entry
    /// of a full target; then the hash slot its trim removes.
    @inline(__always)
    private static func prefetchSets(
        _ stage: PrefetchStage, _ pending: Pending, _ write: BorrowedWrite, _ states: KeyStates, _ keys: borrowing KeyTable,
        maxSize: Int
    ) {
        guard pending.number >= 0 else { return }
        let state = states.unsafeState(Int(pending.number))
        if stage == .slotsAndOrder { keys.prefetchBytes(of: state.pointee.name) }
        let recordSize = MemberRecord.headerSize + write.member.count
        state.pointee.add.prefetchForWrite(
            stage, hash: pending.memberHash, recordSize: recordSize, isTarget: write.kind == .insert, maxSize: maxSize)
        state.pointee.remove.prefetchForWrite(
            stage, hash: pending.memberHash, recordSize: recordSize, isTarget: write.kind == .delete, maxSize: maxSize)
    }

    /// The last stage of a write: runs it on the key found (confirmed by its bytes), or by
    /// the one-at-a-time path when there is none (an invalid write, or a key new to the set).
    @inline(__always)
    private mutating func runPending(_ write: BorrowedWrite, _ pending: Pending) -> Result<WriteOutcome, LWWSetError> {
        do throws(LWWSetError) {
            if pending.number >= 0 && states.unsafeState(Int(pending.number)).pointee.name.names(write.key, in: keys) {
                return .success(try apply(
                    write.kind, toKey: Int(pending.number), score: write.score, member: write.member, hash: pending.memberHash))
            }
            return .success(try self.write(write.kind, rawKey: write.key, score: write.score, rawMember: write.member))
        } catch {
            return .failure(error)
        }
    }

    /// Stages three and four of a select: the order entries it reads, then their records.
    @inline(__always)
    private func prefetchTop(_ stage: PrefetchStage, _ pending: Pending, _ select: BorrowedSelect) {
        guard pending.number >= 0 else { return }
        let state = unsafeState(Int(pending.number))
        let count = state.pointee.add.count
        state.pointee.add.prefetchForSelect(
            stage, from: count - 1 - select.offset, limit: Self.wanted(offset: select.offset, limit: select.limit, count: count))
    }
}
