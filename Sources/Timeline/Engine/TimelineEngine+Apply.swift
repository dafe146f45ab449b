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
        if !pending.isEmpty {
            arena.withUnsafeBytes { arena in
                answerRefused(&output)
                sortByPhase()
                var start = 0
                while start < order.count {
                    let phase = pending[order[start]].phase
                    var end = start + 1
                    while end < order.count && pending[order[end]].phase == phase { end += 1 }
                    if phase % 2 == 0 {
                        applyWrites(start ..< end, arena, &output, &observer)
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
        pending.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        connectionPhases.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        maxPhase = -1
    }

    // The loops below run over index ranges, not over arrays: an array's iterator
    // allocates in a debug build, and the allocation tests run there.

    /// Answers the requests refused at submit.
    private func answerRefused(_ output: inout some TimelineEngineOutput) {
        for index in 0 ..< pending.count where pending[index].phase < 0 && !pending[index].dropped {
            if let failure = pending[index].failure { output.fail(pending[index].token, code: failure.code, reason: failure.reason) }
        }
    }

    /// Fills `order` with the indices of the queued requests of phase 0 and up, by phase
    /// (a counting sort), in submission order within a phase.
    private func sortByPhase() {
        phaseStarts.removeAll(keepingCapacity: true)
        for _ in 0 ..< maxPhase + 2 { phaseStarts.append(0) }
        for index in 0 ..< pending.count where pending[index].phase >= 0 { phaseStarts[pending[index].phase + 1] += 1 }
        for phase in 1 ..< phaseStarts.count { phaseStarts[phase] += phaseStarts[phase - 1] }
        for _ in 0 ..< phaseStarts[maxPhase + 1] { order.append(0) }
        for index in 0 ..< pending.count where pending[index].phase >= 0 {
            order[phaseStarts[pending[index].phase]] = index
            phaseStarts[pending[index].phase] += 1
        }
    }

    /// The binary message of queued request `index`, a view into `arena`.
    private func message(_ index: Int, _ arena: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: arena[pending[index].arenaStart ..< pending[index].arenaStart + pending[index].arenaCount])
    }

    /// Decodes queued request `index` again (it was checked at submit, so this does not fail;
    /// if it did, the request fails with 0x201 instead of trapping).
    private func request(_ index: Int, _ arena: UnsafeRawBufferPointer) -> TimelineRequest? {
        do throws(TimelineCodecError) {
            return try TimelineRequest(decoding: message(index, arena))
        } catch {
            pending[index].failure = .failed("request no longer readable: \(error)")
            return nil
        }
    }

    // MARK: Writes

    /// Applies the writes of the requests at `positions` of `order` as one batch, then
    /// answers them.
    private func applyWrites(
        _ positions: Range<Int>, _ arena: UnsafeRawBufferPointer, _ output: inout some TimelineEngineOutput,
        _ observer: inout some TimelineWriteObserver
    ) {
        writeBatch.removeAll(keepingCapacity: true)
        writeOwners.removeAll(keepingCapacity: true)
        for position in positions where !pending[order[position]].dropped {
            let index = order[position]
            guard let request = request(index, arena) else { continue }
            pending[index].firstWrite = writeBatch.count
            switch request.operation {
            case .insert, .delete:
                writeBatch.append(BorrowedWrite(request.operation == .insert ? .insert : .delete, key: request.unsafeKey, score: request.score, member: request.unsafeMember))
                writeOwners.append(index)
            case .insertBatch, .deleteBatch:
                let kind: WriteKind = request.operation == .insertBatch ? .insert : .delete
                for write in request.writes {
                    writeBatch.append(BorrowedWrite(kind, key: write.unsafeKey, score: write.score, member: write.unsafeMember))
                    writeOwners.append(index)
                }
            case .select, .selectKeys, .range, .tail:
                continue
            }
        }
        // Counted in locals and added once: each access to a property of the engine (a
        // class) costs an exclusivity check. Tails are only removed during the batch.
        var applied: UInt64 = 0
        var ignored: UInt64 = 0
        let hasTails = !tailsByKey.isEmpty
        writeBatch.withUnsafeBufferPointer { batch in
            set.write(batch) { index, result in
                switch result {
                case .success(let outcome) where outcome.isApplied:
                    applied += 1
                    let write = batch[index]
                    observer.accepted(write.kind, key: write.key, score: write.score, member: write.member)
                    if hasTails { feedTails(write, &output) }
                case .success:
                    ignored += 1
                case .failure(let error):
                    let owner = writeOwners[index]
                    if pending[owner].failure == nil {
                        let position = index - pending[owner].firstWrite
                        pending[owner].failure = .failed(
                            pending[owner].operation == .insert || pending[owner].operation == .delete
                                ? error.description : "write \(position) of the batch: \(error)")
                    }
                }
            }
        }
        counters.writesApplied += applied
        counters.writesIgnored += ignored
        for position in positions where !pending[order[position]].dropped {
            let request = pending[order[position]]
            if let failure = request.failure {
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
                            pending[owner].failure = responseFailure(failure)
                            answerFailure(owner, &output)
                        } else {
                            respond(owner, .results(results.results), &output)
                        }
                    }
                }
            } catch {
                // Offsets and limits come from u32 fields, so the set never refuses them.
                for position in 0 ..< selectOwners.count {
                    pending[selectOwners[position]].failure = .failed(error.description)
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
            pending[index].failure = .failed(error.description)
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
            pending[index].failure = responseFailure(error)
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
                pending[index].failure = .failed("response cannot be sent as JSON: \(error)")
                answerFailure(index, &output)
            }
        }
    }

    /// Answers queued request `index` with its failure, and counts it.
    private func answerFailure(_ index: Int, _ output: inout some TimelineEngineOutput) {
        let request = pending[index]
        guard let failure = request.failure else { return }
        countFailure(failure, unanswered: request.isFireAndForget)
        if !request.isFireAndForget { output.fail(request.token, code: failure.code, reason: failure.reason) }
    }
}
