import CRingside

/// Batches: many writes or selects at once, with the same results as one at a time, faster
/// on sets larger than the CPU's caches.
///
/// One operation at a time walks a chain of dependent cache misses (key state, then hash
/// slot or order, then record) and waits out each link. A batch walks one link of every
/// operation's chain, prefetching, before the next link of any; the misses of up to
/// `batchWidth` operations overlap, and the operations then run on cached lines in order.
/// The single writer applies what it drained from a ring this way.
extension LWWSet {
    /// The number of operations whose cache misses a batch overlaps: enough to keep the
    /// CPU's outstanding-miss buffers busy, few enough that prefetched lines stay cached.
    public static let batchWidth = 16

    /// Applies the writes of `batch` in order, exactly as `write(_:key:score:member:)` one
    /// at a time would, and reports each one's outcome (or its error, which changed nothing)
    /// through `outcome`, in order, with its index in `batch`.
    ///
    /// The writes' bytes must stay valid and unchanged until this returns.
    public mutating func write(
        _ batch: UnsafeBufferPointer<BorrowedWrite>,
        outcome: (_ index: Int, _ result: Result<WriteOutcome, LWWSetError>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: LocatedWrite.self, capacity: Self.batchWidth) { located in
            var start = 0
            while start < batch.count {
                let writes = UnsafeBufferPointer(rebasing: batch[start ..< min(start + Self.batchWidth, batch.count)])
                locate(writes, into: located)
                prefetch(.slotsAndOrder, writes, located)
                prefetch(.records, writes, located)
                for (index, write) in writes.enumerated() {
                    let target = located[index]
                    let result = Result { () throws(LWWSetError) in
                        guard let number = target.number else {
                            // Invalid, or its key is new (or was when the batch was located).
                            return try self.write(write.kind, rawKey: write.key, score: write.score, rawMember: write.member)
                        }
                        return try apply(write.kind, toKey: number, score: write.score, member: write.member, hash: target.hash)
                    }
                    outcome(start + index, result)
                }
                start += writes.count
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
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.batchWidth) { numbers in
            var start = 0
            while start < batch.count {
                let selects = UnsafeBufferPointer(rebasing: batch[start ..< min(start + Self.batchWidth, batch.count)])
                // Stage one: each key's number, and a prefetch of its state.
                for (index, select) in selects.enumerated() {
                    let number = keyNumber(select.key)
                    numbers[index] = number.map(Int32.init) ?? -1
                    if let number { prefetchState(number) }
                }
                // Stages two and three: the order entries, then the records, of each select.
                prefetch(.slotsAndOrder, selects, numbers)
                prefetch(.records, selects, numbers)
                for (index, select) in selects.enumerated() {
                    let number = numbers[index] >= 0 ? Int(numbers[index]) : nil
                    self.select(keyNumber: number, offset: select.offset, limit: select.limit, into: &selection)
                    each(start + index, selection)
                }
                start += selects.count
            }
        }
    }

    /// Where a write of a batch goes: its key's number (nil when the write is invalid or
    /// its key was unknown), and its member's hash.
    struct LocatedWrite {
        var number: Int?
        var hash: UInt32
    }

    /// Stage one of a batch of writes: the key numbers and member hashes of `writes`, into
    /// `located`, and a prefetch of each known key's state.
    private func locate(_ writes: UnsafeBufferPointer<BorrowedWrite>, into located: UnsafeMutableBufferPointer<LocatedWrite>) {
        for (index, write) in writes.enumerated() {
            var number: Int?
            if (try? Self.validate(score: write.score, key: write.key, member: write.member)) != nil {
                number = keys.find(write.key, hash: hasher.hash(write.key))
            }
            if let number { prefetchState(number) }
            located[index] = LocatedWrite(number: number, hash: number == nil ? 0 : hasher.hash(write.member))
        }
    }

    /// Stages two and three: the hash slots each write's member check reads and the lines
    /// its add writes, then the records the member check compares and the lowest entry of
    /// a full target set.
    private func prefetch(
        _ stage: PrefetchStage, _ writes: UnsafeBufferPointer<BorrowedWrite>, _ located: UnsafeMutableBufferPointer<LocatedWrite>
    ) {
        for (index, write) in writes.enumerated() {
            guard let number = located[index].number else { continue }
            let hash = located[index].hash
            let state = unsafeState(number)
            state.pointee.add.prefetchForWrite(stage, hash: hash, isTarget: write.kind == .insert, maxSize: maxSize)
            state.pointee.remove.prefetchForWrite(stage, hash: hash, isTarget: write.kind == .delete, maxSize: maxSize)
        }
    }

    /// Stages two and three of a batch of selects (the keys' numbers in `numbers`, -1 for an
    /// unknown key): the order entries each select reads, then their records.
    private func prefetch(
        _ stage: PrefetchStage, _ selects: UnsafeBufferPointer<BorrowedSelect>, _ numbers: UnsafeMutableBufferPointer<Int32>
    ) {
        for (index, select) in selects.enumerated() where numbers[index] >= 0 {
            let state = unsafeState(Int(numbers[index]))
            let count = state.pointee.add.count
            state.pointee.add.prefetchForSelect(
                stage, from: count - 1 - select.offset,
                limit: Self.wanted(offset: select.offset, limit: select.limit, count: count))
        }
    }

    /// Prefetches the state of key `number` (both sets' fields).
    @inline(__always)
    private func prefetchState(_ number: Int) {
        let state = UnsafeRawPointer(unsafeState(number))
        ringside_prefetch(state)
        ringside_prefetch(state + MemoryLayout<KeyState>.size - 1)
    }
}
