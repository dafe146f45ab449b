import CRingside
import Frames
import Glibc
import Posix
import ShmRing
import Synchronization

/// Reading connections and posting what they send to the writer.
extension TCPEventLoop {
    /// Services the connections left with input work (read budget spent, ring full, output
    /// drained after back-pressure), in list order.
    ///
    /// Invariant: room in the inbound ring goes to the connections waiting for it first come,
    /// first served. When the ring fills during the pass, the connections not reached keep
    /// their place at the head of the list, ahead of those that went back on it during the
    /// pass (at its tail). Re-queued behind those, they would never be reached: the same
    /// connections would get the next room every time, and a connection behind a peer that
    /// fills the ring whenever it is serviced would wait for as long as that peer sends.
    func serviceInputList() -> Int {
        guard !inputList.isEmpty, ringReady() else { return 0 }
        let count = inputList.count
        var serviced = 0
        while serviced < count, !ringFull {
            let connection = connections[Int(inputList[serviced])]!
            connection.onInputList = false
            serviceInput(connection)
            serviced += 1
        }
        inputList.removeFirst(serviced)
        return ringFull || budgetFull ? 0 : serviced
    }

    /// Whether input may go on: neither the ring nor the long-frame budget was found full, or
    /// each that was has room again (a quarter of the ring free; the smallest refused long
    /// frame fits). When not,
    /// asks the writer to signal once it consumes (the flag, then a re-check: a writer that
    /// emptied the ring before seeing the flag is never waited for).
    func ringReady() -> Bool {
        guard ringFull || budgetFull else { return true }
        func roomAgain() -> Bool {
            (!ringFull || inbound.capacity - inbound.occupiedBytes >= inbound.capacity / 4)
                && (!budgetFull || largeFrames.hasRoomAgain)
        }
        if !roomAgain() {
            inboundStalled.store(true, ordering: .sequentiallyConsistent)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            guard roomAgain() else { return false }
        }
        ringFull = false
        if budgetFull {
            budgetFull = false
            largeFrames.forgetRefusals()
        }
        return true
    }

    func addToInputList(_ connection: TCPConnection) {
        guard !connection.onInputList else { return }
        connection.onInputList = true
        inputList.append(connection.slot)
    }

    /// The inbound ring had no room: the connection waits on the input list until
    /// ``ringReady()`` (the writer signals when it consumes).
    func stall(_ connection: TCPConnection) {
        ringFull = true
        addToInputList(connection)
    }

    /// Moves a connection's input along as far as it can go now: its `.opened` record, the
    /// complete frames it holds, more reads while the socket has bytes, the budget lasts, it
    /// is within its share of the ring, and its output is not backed up; then its
    /// `.malformed` or `.closed` record.
    func serviceInput(_ connection: TCPConnection) {
        switch connection.phase {
        case .free:
            return
        case .draining:
            discardInput(connection)
            return
        case .flushing:
            return
        case .closed:
            postClosed(connection)
            return
        case .malformed:
            postMalformed(connection)
            return
        case .open:
            break
        }
        if !connection.openedPosted {
            guard InboundRecord.postOpened(inbound, id: connection.id, peer: connection.peer) else { return stall(connection) }
            connection.openedPosted = true
            postedThisTurn = true
        }
        // What this service posts lies in the ring from here on (see ``InboundShare``).
        var start = inbound.producerPosition
        defer { connection.share.note(from: start, to: inbound.producerPosition) }
        var reads = 0
        while true {
            let kept: Bool
            do throws(FrameAssemblyError) {
                let drained = try connection.assembler.drainFrames { frame, allocation in
                    guard post(frame, allocation: allocation, for: connection.id) else { return .keep }
                    // Copied into the ring, or handed over in its allocation.
                    return InboundRecord.fitsRing(inbound, frameLength: frame.count) ? .consumed : .adopted
                }
                if drained.taken > 0 { postedThisTurn = true }
                kept = drained.kept
            } catch {
                connection.assembler.releaseBuffer()
                connection.phase = .malformed
                connection.pendingMalformed = error.description
                postMalformed(connection)
                return
            }
            if kept { return stall(connection) }
            if let ending = connection.ending {
                end(connection, ending)
                return
            }
            guard connection.readable, !connection.outputBackedUp else { return }
            guard reads < configuration.readsPerTurn else { return addToInputList(connection) }
            let allowance = shareRoom(connection, since: &start)
            guard allowance > 0 else { return waitForShare(connection) }
            reads += 1
            let descriptor = connection.descriptor
            // A read takes no more than the share has room for (the frames of a read go into
            // the ring as records a little longer than their bytes on the wire; a long frame's
            // allocation becomes one small record).
            do throws(SystemCallError) {
                switch try connection.assembler.fill(pooledLimit: allowance, { (room) throws(SystemCallError) -> Int? in
                    try Sys.readAvailable(descriptor, into: room)
                }) {
                case .waitingForBudget:
                    // A long frame waits for the budget, which the writer's frees refill.
                    budgetFull = true
                    return addToInputList(connection)
                case .wouldBlock:
                    connection.readable = false
                case .read(let count, _) where count == 0:
                    connection.ending = .peerClosed
                case .read(let count, let room):
                    // Edge-triggered: bytes arriving after a short read raise a new event.
                    if count < room, !connection.peerHungUp { connection.readable = false }
                }
            } catch {
                connection.ending = .ioError(error)
            }
        }
    }

    /// Posts one frame: in the ring when it fits, else as a large frame in its allocation
    /// (adopted by the writer). False when the ring is full.
    func post(_ frame: UnsafeRawBufferPointer, allocation: UnsafeMutableRawBufferPointer?, for id: ConnectionID) -> Bool {
        if InboundRecord.fitsRing(inbound, frameLength: frame.count) {
            return InboundRecord.postFrame(inbound, id: id, frame)
        }
        // Only a frame longer than a pool buffer outgrows the ring (validated sizes), and such
        // a frame always sits in an allocation of its own.
        return InboundRecord.postLargeFrame(inbound, id: id, allocation: allocation!)
    }

    func postMalformed(_ connection: TCPConnection) {
        guard let reason = connection.pendingMalformed else { return }
        guard InboundRecord.postMalformed(inbound, id: connection.id, reason: reason) else { return stall(connection) }
        connection.pendingMalformed = nil
        postedThisTurn = true
    }

    /// Ends a connection: closes its socket (if still open) and posts `.closed` once every
    /// record before it is in.
    func end(_ connection: TCPConnection, _ reason: CarrierCloseReason) {
        if connection.descriptor >= 0 {
            TCPSocket.closeQuietly(connection.descriptor)
            connection.descriptor = -1
            connection.socketClosed.store(true, ordering: .releasing)
            connection.assembler.releaseBuffer()
        }
        if connection.closeDeadline != nil {
            connection.closeDeadline = nil
            closing.removeAll { $0 == connection.slot }
        }
        if connection.waitingForShare {
            connection.waitingForShare = false
            shareWaiters.removeAll { $0 == connection.slot }
        }
        connection.phase = .closed
        connection.ending = reason
        postClosed(connection)
    }

    func postClosed(_ connection: TCPConnection) {
        guard let reason = connection.ending else { return }
        guard connection.openedPosted else {
            // The writer never heard of it: the slot is free again at once.
            connection.ending = nil
            connection.recycle()
            recycledSlots.append(connection.slot)
            return
        }
        guard InboundRecord.postClosed(inbound, id: connection.id, reason: reason) else { return stall(connection) }
        connection.ending = nil
        postedThisTurn = true
    }
}
