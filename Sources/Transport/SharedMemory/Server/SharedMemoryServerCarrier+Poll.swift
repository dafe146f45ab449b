import ShmRing
import Synchronization

// The inside of a poll: queued events, the channels read in turn, the clients woken, the
// ended channels retired, and the periodic liveness pass.
extension SharedMemoryServerCarrier {
    /// Delivers queued events, up to `limit`; returns how many.
    func deliverPending(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        guard !pollState.pendingEvents.isEmpty else { return 0 }
        let count = min(limit, pollState.pendingEvents.count)
        for index in 0..<count {
            let event = pollState.pendingEvents[index]  // a copy: the handler may queue more
            handler(event)
        }
        pollState.pendingEvents.removeFirst(count)
        return count
    }

    /// Reads the channels in turn, from `cursor`, up to the first that has events (at most
    /// `limit` of them). The poll ends there, so that its events are applied and answered at
    /// once: a lone frame no longer waits for the reads of the channels behind its own. A
    /// flood loses nothing by it: a busy channel fills a poll's limit by itself, and the next
    /// poll starts at the channel behind it. Inlined into the poll, which calls it on every
    /// round: an idle round's walk is a few loads, less than a call's set-up.
    @inline(__always)
    func readChannels(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        let count = pollState.active.count
        guard count > 0 else { return 0 }
        if pollState.cursor >= count { pollState.cursor = 0 }  // the table shrank since the last poll
        var delivered = 0
        var visited = 0
        var position = pollState.cursor
        // Positions wrap by a compare, not a division: this runs on every poll.
        while visited < count && delivered == 0 {
            let entry = pollState.activeChannels[position]
            visited += 1
            position = position + 1 == count ? 0 : position + 1
            // Unretained: the table keeps the channel alive throughout the poll.
            delivered += entry._withUnsafeGuaranteedRef { channel in
                channel.retiring || channel.stopReading || channel.hasNothingToRead ? 0 : read(channel, limit: limit, handler)
            }
        }
        // The next poll starts after the last channel read, not after the first: starting
        // one further on each poll gave the channel behind an empty one two turns.
        pollState.cursor = position
        return delivered
    }

    /// Reads one channel: frames become events; a close record, or an empty ring after the
    /// client closed or died, ends the connection. The state is loaded before the ring is
    /// drained, so no frame sent before a close is lost.
    func read(_ channel: ServerChannel, limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        let id = channel.id
        guard let state = channel.block.state else {
            channel.stopReading = true
            handler(.malformed(id, reason: "channel block: state word holds no channel state"))
            return 1
        }
        let clientClosed = state == .closedByClient
        var read = ChannelRead()
        do {
            // Stops when the handler closed the channel mid-batch.
            try channel.inbound.readChannel(limit: limit, into: &read, stop: { channel.retiring }) { handler(.frame(id, $0)) }
        } catch {
            channel.stopReading = true
            handler(.malformed(id, reason: "client → server ring: \(error)"))
            return read.frames + 1
        }
        if read.consumed > 0 && !channel.readThisPoll {
            channel.readThisPoll = true
            pollState.wakeList.append(channel.slot)
        }
        if let badType = read.badType {
            channel.stopReading = true
            handler(.malformed(id, reason: "client → server ring: record type \(badType) (1: frame, 2: close)"))
            return read.frames + 1
        }
        guard read.sawClose || (read.consumed == 0 && (clientClosed || channel.clientDead)) else { return read.frames }
        let reason: CarrierCloseReason = read.sawClose || clientClosed
            ? .peerClosed : .peerDied("client pid \(channel.client.pid) exited")
        end(channel, event: nil)
        handler(.closed(id, reason))
        return read.frames + 1
    }

    /// Rings the doorbells of sleeping clients whose rings the last poll drained to at most
    /// half full (a client blocked on a full ring waits for exactly that), after one fence.
    /// Called by ``flush()`` and at the start of the next poll (or wait), not inside the poll
    /// that drained them: the fence would wait there for the poll's consumer-position stores,
    /// before the batch is applied and its tail events are sent (measured ~100 ns of a
    /// one-event turn).
    ///
    /// Only at half: a flooding client that sleeps is woken once per half ring, not on every
    /// poll that frees a few records (each wake a futex call here, and a few records'
    /// worth of writing there before it blocks again). No wake-up is lost: a client sleeps
    /// only after re-checking, behind its announcement's barrier, that nothing was consumed
    /// since its send found the ring full (see ShmRing's Waiting article); then it writes no
    /// more, so the polls that follow consume its ring down to empty, and the first of them
    /// whose consumption it did not see, or a later one, leaves the ring at most half full
    /// and loads its sleeper bit after this fence. A channel still over half full stays
    /// off the list until a poll consumes from it again.
    func wakeDrainedClients() {
        guard !pollState.wakeList.isEmpty else { return }
        var fenced = false
        for index in 0..<pollState.wakeList.count {  // by index: an iterator would keep the buffer shared
            guard let channel = pollState.slots[pollState.wakeList[index]] else { continue }
            channel.readThisPoll = false
            guard channel.inbound.occupiedBytes <= channel.inbound.capacity / 2 else { continue }
            if !fenced {
                // Orders this poll's consumer-position stores before the sleeper-bit loads.
                atomicMemoryFence(ordering: .sequentiallyConsistent)
                fenced = true
            }
            if channel.doorbell.hasSleeper { channel.doorbell.ring() }
        }
        pollState.wakeList.removeAll(keepingCapacity: true)
    }

    /// Removes ended channels from the table (their segments are already unlinked); not
    /// during a poll, whose loops walk the table.
    func retire() {
        guard !pollState.polling, !pollState.retireList.isEmpty else { return }
        for index in 0..<pollState.retireList.count {  // by index: an iterator would keep the buffer shared
            let slot = pollState.retireList[index]
            guard pollState.slots[slot] != nil else { continue }
            pollState.slots[slot] = nil
            if let index = pollState.active.firstIndex(of: slot) {
                pollState.active.swapAt(index, pollState.active.count - 1)
                pollState.active.removeLast()
                pollState.activeChannels.swapAt(index, pollState.activeChannels.count - 1)
                pollState.activeChannels.removeLast()
            }
            freeSlots.append(slot)
        }
        pollState.retireList.removeAll(keepingCapacity: true)
        control.publishCounters(connected: pollState.active.count, accepted: serial, rejected: rejectedConnectCount)
    }

    /// The periodic work: which clients died (pid and start time), and whether a dead
    /// client's claim wedges the connect ring. A dead client's channel that is still read is
    /// closed once drained (in ``read(_:limit:_:)``); one no longer read (malformed, the
    /// session's close pending) is closed at once.
    func checkLiveness() {
        for slot in pollState.active {
            guard let channel = pollState.slots[slot], !channel.retiring, !channel.clientDead else { continue }
            guard !channel.client.isAlive else { continue }
            channel.clientDead = true
            if channel.stopReading {
                end(channel, event: .closed(channel.id, .peerDied("client pid \(channel.client.pid) exited")))
            }
        }
        if connectRingFailure == nil {
            do { _ = try connectRing.unblockIfStalled(after: .milliseconds(500)) } catch { connectRingFailure = error }
        }
    }
}
