import Frames
import Glibc
import LWWSet

extension TimelineEngine {
    /// Sends, for every tail with queued events, as many as its credit allows; the server
    /// calls it when a connection that refused an event (`emit` returned false) can take
    /// more. `apply` ends with it.
    public func flush(into output: inout some TimelineEngineOutput) {
        var index = 0
        while index < listedTails.count {
            let slot = listedTails[index]
            drain(slot, into: &output)
            if isRefused(slot) {
                index += 1
            } else {
                tails[slot].isListed = false
                listedTails.swapAt(index, listedTails.count - 1)
                listedTails.removeLast()
            }
        }
    }

    /// Whether the tail in `slot` has events and credit, yet the output refused the next
    /// event: it must be offered again at the next flush.
    private func isRefused(_ slot: Int) -> Bool {
        tails[slot].isActive && tails[slot].queue.count > 0 && tails[slot].credit > 0
    }

    /// Lists the tail in `slot` for the next flush.
    func list(_ slot: Int) {
        guard !tails[slot].isListed else { return }
        tails[slot].isListed = true
        listedTails.append(slot)
    }

    /// Starts a tail of `key` for queued request `index`, with `credit` events granted.
    func addTail(key: UnsafeRawBufferPointer, _ index: Int, credit: UInt32) {
        let request = pending[index]
        let subscription = TailSubscription(
            key: Array(key), connection: request.connection, token: request.token, encoding: request.encoding,
            credit: Int(credit))
        if let old = tailByToken[request.token] { removeTail(old) }
        let slot: Int
        if let free = freeTails.popLast() {
            slot = free
            tails[slot] = subscription
        } else {
            slot = tails.count
            tails.append(subscription)
        }
        tailByToken[request.token] = slot
        tailIndex.add(slot, key: key)
        counters.activeTails += 1
    }

    /// Ends the tail in `slot`, freeing its buffer.
    func removeTail(_ slot: Int) {
        guard tails[slot].isActive else { return }
        tailByToken[tails[slot].token] = nil
        tails[slot].key.withUnsafeBytes { tailIndex.remove(slot, key: $0) }
        if tails[slot].isListed, let listed = listedTails.firstIndex(of: slot) { listedTails.remove(at: listed) }
        tails[slot] = TailSubscription(
            key: [], connection: tails[slot].connection, token: tails[slot].token, encoding: .binary, credit: 0,
            isListed: false, isActive: false)
        freeTails.append(slot)
        counters.activeTails -= 1
    }

    /// Queues an applied write to every tail of its key, cutting off a tail whose buffer is
    /// full.
    func feedTails(_ write: BorrowedWrite, _ output: inout some TimelineEngineOutput) {
        var next = tailIndex.first(write.key)
        while next >= 0 {
            let slot = next
            // Read before the tail is fed: cutting it off unfiles it.
            next = tailIndex.after(slot)
            guard tails[slot].isActive && Self.equal(tails[slot].key, write.key) else { continue }
            guard tails[slot].queue.count < configuration.tailBufferEvents else {
                cutOff(slot, "tail overflow: \(configuration.tailBufferEvents) events waiting for REQUEST_N; the tail is cut off", &output)
                continue
            }
            do throws(TimelineCodecError) {
                switch tails[slot].encoding {
                case .binary:
                    offer(slot, try TimelineSingleWriteEncoding(
                        isDelete: write.kind == .delete, key: write.key, score: write.score, member: write.member), &output)
                case .json:
                    offer(slot, try codec.encode(try Self.jsonEvent(write)), &output)
                }
            } catch {
                cutOff(slot, "tail event cannot be encoded: \(error)", &output)
            }
        }
    }

    /// Sends `event` to the tail in `slot` at once when nothing is queued before it and the
    /// credit allows (the output encodes it straight into its frame); queues it otherwise.
    private func offer(_ slot: Int, _ event: some FrameEncodable, _ output: inout some TimelineEngineOutput) {
        if tails[slot].queue.count == 0 && tails[slot].credit > 0 && output.emit(to: tails[slot].token, event: event) {
            tails[slot].credit -= 1
            counters.tailEventsSent += 1
            return
        }
        tails[slot].queue.push(byteCount: event.encodedByteCount) { event.unsafeEncode(into: $0) }
        if tails[slot].credit > 0 { list(slot) }
    }

    /// Sends the tail in `slot` what its credit allows.
    func drain(_ slot: Int, into output: inout some TimelineEngineOutput) {
        while tails[slot].isActive && tails[slot].credit > 0 {
            let token = tails[slot].token
            guard let sent = tails[slot].queue.withOldest({ output.emit(to: token, event: $0) }), sent else { return }
            tails[slot].queue.removeOldest()
            tails[slot].credit -= 1
            counters.tailEventsSent += 1
        }
    }

    /// Ends every tail, at a clean stop of the server: each first sends what its credit
    /// allows of its queued events; one that has then sent them all completes (the
    /// subscriber has every accepted write to its key), one still holding events for want of
    /// REQUEST_N fails with an ERROR (0x201) that says how many it did not deliver, so that
    /// a subscriber never takes a cut tail for a whole one.
    public func endTails(into output: inout some TimelineEngineOutput) {
        for slot in tails.indices where tails[slot].isActive {
            drain(slot, into: &output)
            let undelivered = tails[slot].queue.count
            if undelivered == 0 {
                output.complete(tails[slot].token)
            } else {
                output.fail(
                    tails[slot].token, code: .applicationError,
                    reason: "server stopping: \(undelivered) events of the tail were not delivered (no REQUEST_N credit for them)")
            }
            removeTail(slot)
        }
    }

    /// Ends the tail in `slot` with an ERROR (0x201) and counts it.
    private func cutOff(_ slot: Int, _ reason: String, _ output: inout some TimelineEngineOutput) {
        output.fail(tails[slot].token, code: .applicationError, reason: reason)
        counters.tailsCutOff += 1
        removeTail(slot)
    }

    /// A write as a JSON stream event.
    private static func jsonEvent(_ write: BorrowedWrite) throws(TimelineCodecError) -> TimelineJSONRequest {
        guard let key = String(validating: write.key, as: UTF8.self) else { throw .invalidUTF8(field: .key) }
        guard let member = String(validating: write.member, as: UTF8.self) else { throw .invalidUTF8(field: .member) }
        return write.kind == .insert
            ? .insert(key: key, score: write.score, member: member) : .delete(key: key, score: write.score, member: member)
    }

    /// Whether `key` holds exactly the bytes of `other`.
    private static func equal(_ key: [UInt8], _ other: UnsafeRawBufferPointer) -> Bool {
        key.withUnsafeBytes { bytes in
            bytes.count == other.count && (bytes.count == 0 || memcmp(bytes.baseAddress!, other.baseAddress!, bytes.count) == 0)
        }
    }
}
