import Frames
import LWWSet

extension TimelineEngine {
    /// Applies every request submitted since the last call and answers each through
    /// `output`: first the requests refused at submit, then phase by phase, the writes of a
    /// phase as one batch of `LWWSet.write(_:outcome:)` (each applied write told to
    /// `observer` and queued to the tails of its key), the selects of a phase as one batch of
    /// `LWWSet.select(_:into:each:)`, ranges and tails one by one. Finally the tails send what
    /// their credit allows.
    public func apply(into output: inout some TimelineEngineOutput, observer: inout some TimelineWriteObserver) {
        defer { resetQueue() }
        if !queue.directWrites.isEmpty { counters.countDirectWrites(queue.directWrites.count, deletes: queue.directDeletes) }
        if !pending.isEmpty || !queue.directWrites.isEmpty {
            arena.withUnsafeBytes { arena in
                // The steady load: writes only (direct ones first), none refused, one phase,
                // in submission order.
                if queue.maxPhase <= 0 && !queue.hasRefused {
                    applyWrites(0 ..< pending.count, inOrder: true, withDirect: true, arena, &output, &observer)
                    return
                }
                answerRefused(&output)
                sortByPhase()
                // The direct writes open phase 0: alone when no queued request is of it.
                if !queue.directWrites.isEmpty && (order.isEmpty || pending[order[0]].phase != 0) {
                    applyWrites(0 ..< 0, inOrder: true, withDirect: true, arena, &output, &observer)
                }
                var start = 0
                while start < order.count {
                    let phase = pending[order[start]].phase
                    var end = start + 1
                    while end < order.count && pending[order[end]].phase == phase { end += 1 }
                    if phase % 2 == 0 {
                        applyWrites(start ..< end, inOrder: false, withDirect: phase == 0, arena, &output, &observer)
                    } else {
                        runReads(start ..< end, arena, &output)
                    }
                    start = end
                }
            }
        }
        flush(into: &output)
    }

    /// `apply(into:observer:)` without an observer.
    public func apply(into output: inout some TimelineEngineOutput) {
        var observer = NoWriteObserver()
        apply(into: &output, observer: &observer)
    }

    /// Empties the queue, keeping every buffer's capacity.
    private func resetQueue() {
        queue.reset()
        if !order.isEmpty { order.removeAll(keepingCapacity: true) }
    }

    // The loops below run over index ranges, not over arrays: an array's iterator
    // allocates in a debug build, and the allocation tests run there.

    /// Answers the requests refused at submit.
    private func answerRefused(_ output: inout some TimelineEngineOutput) {
        for index in 0 ..< pending.count where pending[index].phase < 0 && !pending[index].dropped {
            if let failure = failures[index] { output.fail(pending[index].token, code: failure.code, reason: failure.reason) }
        }
    }

    /// Fills `order` with the indices of the queued requests of phase 0 and up, by phase
    /// (a counting sort), in submission order within a phase.
    private func sortByPhase() {
        phaseStarts.removeAll(keepingCapacity: true)
        for _ in 0 ..< queue.maxPhase + 2 { phaseStarts.append(0) }
        for index in 0 ..< pending.count where pending[index].phase >= 0 { phaseStarts[pending[index].phase + 1] += 1 }
        for phase in 1 ..< phaseStarts.count { phaseStarts[phase] += phaseStarts[phase - 1] }
        for _ in 0 ..< phaseStarts[queue.maxPhase + 1] { order.append(0) }
        for index in 0 ..< pending.count where pending[index].phase >= 0 {
            order[phaseStarts[pending[index].phase]] = index
            phaseStarts[pending[index].phase] += 1
        }
    }

    /// The binary message of queued request `request`, a view into `arena`.
    private func message(_ request: PendingRequest, _ arena: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: arena[request.arenaStart ..< request.arenaStart + request.arenaCount])
    }

    /// Decodes queued request `index` again (it was checked at submit, so this does not fail;
    /// if it did, the request fails with 0x201 instead of trapping).
    private func request(_ index: Int, _ arena: UnsafeRawBufferPointer) -> TimelineRequest? {
        do throws(TimelineCodecError) {
            return try TimelineRequest(decoding: message(pending[index], arena))
        } catch {
            failures[index] = .failed("request no longer readable: \(error)")
            return nil
        }
    }

    // MARK: Writes

    /// Applies the writes of the requests at `positions` of `order` (of `pending` itself
    /// when `inOrder`) as one batch, after the direct writes when `withDirect`, then answers
    /// them. The queue is read through locals (one access each to the engine's properties,
    /// not one per request), and the batch is built in the engine's ``WriteBatch``, reached
    /// through its pointer.
    private func applyWrites(
        _ positions: Range<Int>, inOrder: Bool, withDirect: Bool, _ arena: UnsafeRawBufferPointer,
        _ output: inout some TimelineEngineOutput, _ observer: inout some TimelineWriteObserver
    ) {
        let requests = pending
        let order = order
        let writeBatch = unsafeWriteBatch
        writeBatch.pointee.removeAll()
        let base = arena.baseAddress
        if withDirect, let base {
            // Owned by no queued request (no owner appended: `owner(of:)` is -1), so a
            // failure is only counted.
            queue.directWrites.withUnsafeBufferPointer { directWrites in
                for index in directWrites.indices where !directWrites[index].dropped {
                    let direct = directWrites[index]
                    writeBatch.pointee.writes.append(direct.write.borrowed(direct.isDelete ? .delete : .insert, message: base + direct.arenaStart))
                }
            }
            writeBatch.pointee.directCount = writeBatch.pointee.writes.count
        }
        for position in positions {
            let index = inOrder ? position : order[position]
            let pendingRequest = requests[index]
            guard !pendingRequest.dropped else { continue }
            if let write = pendingRequest.write, let base {
                writeBatch.pointee.writes.append(
                    write.borrowed(pendingRequest.operation == .insert ? .insert : .delete, message: base + pendingRequest.arenaStart))
                writeBatch.pointee.owners.append(index)
                continue
            }
            guard let request = request(index, arena) else { continue }
            switch request.operation {
            case .insert, .delete:
                writeBatch.pointee.writes.append(BorrowedWrite(request.operation == .insert ? .insert : .delete, key: request.unsafeKey, score: request.score, member: request.unsafeMember))
                writeBatch.pointee.owners.append(index)
            case .insertBatch, .deleteBatch:
                let kind: WriteKind = request.operation == .insertBatch ? .insert : .delete
                for write in request.writes {
                    writeBatch.pointee.writes.append(BorrowedWrite(kind, key: write.unsafeKey, score: write.score, member: write.unsafeMember))
                    writeBatch.pointee.owners.append(index)
                }
            case .select, .selectKeys, .range, .tail:
                continue
            }
        }
        // Counted in locals and added once: each access to a property of the engine (a
        // class) costs an exclusivity check.
        var applied: UInt64 = 0
        var ignored: UInt64 = 0
        var failed: [(index: Int, error: LWWSetError)] = []
        let count = writeBatch.pointee.writes.count
        let anyTailed = !tailByToken.isEmpty && markTailed(writeBatch)
        if !anyTailed && !observer.observesWrites {
            // Nothing wants an applied write's bytes (no write of the batch may have a tail:
            // most batches, even with tails open): the set counts them, and reports only its
            // failures (no call per write).
            writeBatch.pointee.writes.withUnsafeBufferPointer { batch in
                applied = UInt64(set.writeCountingApplied(batch) { index, error in failed.append((index, error)) })
            }
            ignored = UInt64(count - failed.count) - applied
        } else {
            writeBatch.pointee.writes.withUnsafeBufferPointer { batch in
                set.write(batch) { index, result in
                    switch result {
                    case .success(let outcome) where outcome.isApplied:
                        applied += 1
                        let write = batch[index]
                        observer.accepted(write.kind, key: write.key, score: write.score, member: write.member)
                        if anyTailed && writeBatch.pointee.tailed[index] { feedTails(write, &output) }
                    case .success:
                        ignored += 1
                    case .failure(let error):
                        failed.append((index, error))
                    }
                }
            }
        }
        counters.writesApplied += applied
        counters.writesIgnored += ignored
        for position in 0 ..< failed.count {
            let (index, error) = failed[position]
            let owner = writeBatch.pointee.owner(of: index)
            guard owner >= 0 else {
                countFailure(.failed(error.description), unanswered: true)
                continue
            }
            guard failures[owner] == nil else { continue }
            var first = index
            while first > 0 && writeBatch.pointee.owner(of: first - 1) == owner { first -= 1 }
            let single = requests[owner].operation == .insert || requests[owner].operation == .delete
            failures[owner] = .failed(single ? error.description : "write \(index - first) of the batch: \(error)")
        }
        let anyFailure = !failures.isEmpty
        // A load of fire-and-forget writes that all succeeded has nothing to answer or count.
        guard anyFailure || queue.awaitingAnswer > 0 else { return }
        for position in positions {
            let index = inOrder ? position : order[position]
            let request = requests[index]
            guard !request.dropped else { continue }
            if anyFailure, let failure = failures[index] {
                countFailure(failure, unanswered: request.isFireAndForget)
                if !request.isFireAndForget { output.fail(request.token, code: failure.code, reason: failure.reason) }
            } else if !request.isFireAndForget {
                switch request.encoding {
                case .binary: output.respond(to: request.token, with: TimelineResponse.ok)
                case .json: output.respond(to: request.token, with: okJSON)
                }
            }
        }
    }

    /// Fills the batch's `tailed` with whether each of its writes may have tails, and returns
    /// whether any may. Asked of the index before the batch, in a loop of its own: there the
    /// index's cells (cold after a batch) are loaded side by side, where asked in the outcome
    /// handler each waited out its miss between the set's writes. Tails are only removed
    /// during the batch, so the answers hold for all of it.
    private func markTailed(_ writeBatch: UnsafeMutablePointer<WriteBatch>) -> Bool {
        let count = writeBatch.pointee.writes.count
        let tailIndex = tailIndex
        var any = false
        for index in 0 ..< count {
            let mayHold = tailIndex.mayHold(writeBatch.pointee.writes[index].key)
            writeBatch.pointee.tailed.append(mayHold)
            any = any || mayHold
        }
        return any
    }

    // MARK: Reads

    /// Runs the selects of the requests at `positions` of `order` as one batch, and their
    /// ranges and tails one by one, answering each.
    private func runReads(_ positions: Range<Int>, _ arena: UnsafeRawBufferPointer, _ output: inout some TimelineEngineOutput) {
        selectBatch.removeAll(keepingCapacity: true)
        selectOwners.removeAll(keepingCapacity: true)
        for position in positions where !pending[order[position]].dropped {
            let index = order[position]
            guard let request = request(index, arena) else {
                answerFailure(index, &output)
                continue
            }
            switch request.operation {
            case .select:
                selectBatch.append(BorrowedSelect(key: request.unsafeKey, offset: Int(request.offset), limit: Int(request.limit)))
                selectOwners.append(index)
            case .selectKeys:
                guard request.keys.count > 0 else {
                    respond(index, .results(.empty), &output)
                    continue
                }
                for key in request.keys {
                    selectBatch.append(BorrowedSelect(key: key, offset: Int(request.offset), limit: Int(request.limit)))
                    selectOwners.append(index)
                }
            case .range:
                runRange(index, request, &output)
            case .tail:
                if case .requestStream(let demand) = pending[index].interaction {
                    addTail(key: request.unsafeKey, index, credit: demand)
                }
            case .insert, .delete, .insertBatch, .deleteBatch:
                continue
            }
        }
        guard !selectBatch.isEmpty else { return }
        var results = TimelineResultsWriter(scratch)
        var failure: TimelineCodecError?
        selectBatch.withUnsafeBufferPointer { batch in
            do throws(LWWSetError) {
                try set.select(batch, into: &selection) { index, selection in
                    let owner = selectOwners[index]
                    let first = index == 0 || selectOwners[index - 1] != owner
                    let last = index == batch.count - 1 || selectOwners[index + 1] != owner
                    guard pending[owner].operation == .selectKeys else {
                        answerRecords(owner, selection, &output)
                        return
                    }
                    if first {
                        results = TimelineResultsWriter(scratch)
                        failure = nil
                    }
                    if failure == nil {
                        do throws(TimelineCodecError) {
                            try results.appendKey(batch[index].key)
                            try selection.forEachRecord { (member, score) throws(TimelineCodecError) in
                                try results.appendRecord(member: member, score: score)
                            }
                        } catch {
                            failure = error
                        }
                    }
                    if last {
                        if let failure {
                            failures[owner] = responseFailure(failure)
                            answerFailure(owner, &output)
                        } else {
                            respond(owner, .results(results.results), &output)
                        }
                    }
                }
            } catch {
                // Offsets and limits come from u32 fields, so the set never refuses them.
                for position in 0 ..< selectOwners.count {
                    failures[selectOwners[position]] = .failed(error.description)
                    answerFailure(selectOwners[position], &output)
                }
            }
        }
    }

    /// Runs the range of queued request `index`.
    private func runRange(_ index: Int, _ request: TimelineRequest, _ output: inout some TimelineEngineOutput) {
        let start = request.start.map { Cursor(score: $0.score, member: $0.unsafeMember) }
        let stop = request.stop.map { Cursor(score: $0.score, member: $0.unsafeMember) }
        do throws(LWWSetError) {
            try set.select(key: request.unsafeKey, after: start, before: stop, limit: Int(request.limit), into: &selection)
            answerRecords(index, selection, &output)
        } catch {
            failures[index] = .failed(error.description)
            answerFailure(index, &output)
        }
    }

    /// Answers queued request `index` with the entries of `selection` as records.
    private func answerRecords(_ index: Int, _ selection: Selection, _ output: inout some TimelineEngineOutput) {
        var records = TimelineRecordsWriter(scratch)
        do throws(TimelineCodecError) {
            try selection.forEachRecord { (member, score) throws(TimelineCodecError) in try records.append(member: member, score: score) }
            respond(index, .records(records.records), &output)
        } catch {
            failures[index] = responseFailure(error)
            answerFailure(index, &output)
        }
    }

    /// The failure of a response that could not be built.
    private func responseFailure(_ error: TimelineCodecError) -> EngineFailure {
        if case .bufferTooSmall = error {
            return .failed("response larger than the \(configuration.maxMessageBytes)-byte message limit; select fewer entries")
        }
        return .failed("response cannot be encoded: \(error)")
    }

    /// Sends `response` to queued request `index`, in its connection's encoding.
    private func respond(_ index: Int, _ response: TimelineResponse, _ output: inout some TimelineEngineOutput) {
        let request = pending[index]
        switch request.encoding {
        case .binary:
            output.respond(to: request.token, with: response)
        case .json:
            do throws(TimelineCodecError) {
                output.respond(to: request.token, with: try codec.encode(try TimelineJSONResponse(response)))
            } catch {
                failures[index] = .failed("response cannot be sent as JSON: \(error)")
                answerFailure(index, &output)
            }
        }
    }

    /// Answers queued request `index` with its failure, and counts it.
    private func answerFailure(_ index: Int, _ output: inout some TimelineEngineOutput) {
        let request = pending[index]
        guard let failure = failures[index] else { return }
        countFailure(failure, unanswered: request.isFireAndForget)
        if !request.isFireAndForget { output.fail(request.token, code: failure.code, reason: failure.reason) }
    }
}
