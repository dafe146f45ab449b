import CRingside
import ShmRing
import Synchronization

/// Keeping each connection within its share of the inbound ring (``InboundShare``,
/// ``TCPCarrierConfiguration/inboundShare``).
///
/// A connection found at its share before a read stops being read and waits on
/// ``shareWaiters`` for the writer's consumer position to reach the point where it holds three
/// quarters of its share (a quarter of the share consumed, the rest still the writer's work
/// while the I/O thread wakes up and reads); then it goes back on the input list, behind the connections already there.
/// The writer learns of the wait through ``shareWake`` only when the I/O thread goes to sleep.
extension TCPEventLoop {
    /// Whether the connection may read more: notes the records it posted since `start` (moved
    /// on to the ring's tail) and compares what it holds in the ring with its share.
    func withinShare(_ connection: TCPConnection, since start: inout Int64) -> Bool {
        let tail = inbound.producerPosition
        connection.share.note(from: start, to: tail)
        start = tail
        return connection.share.unconsumed(consumer: inbound.consumerPosition) < inboundShare
    }

    /// The connection holds its share: it is not read until the writer has consumed a quarter of it.
    func waitForShare(_ connection: TCPConnection) {
        guard !connection.waitingForShare else { return }
        let resume = connection.share.position(leaving: inboundShare - inboundShare / 4, consumer: inbound.consumerPosition)
        connection.waitingForShare = true
        connection.shareResumePosition = resume
        shareWaiters.append(connection.slot)
        nextShareResume = min(nextShareResume, resume)
    }

    /// Puts the waiting connections whose records the writer has consumed far enough back on
    /// the input list, in the order they began waiting; returns how many.
    func serviceShareWaiters() -> Int {
        guard !shareWaiters.isEmpty else { return 0 }
        let consumer = inbound.consumerPosition
        guard consumer >= nextShareResume else { return 0 }
        var resumed = 0
        var next = Int64.max
        shareWaiters.removeAll { slot in
            let connection = connections[Int(slot)]!
            guard connection.shareResumePosition <= consumer else {
                next = min(next, connection.shareResumePosition)
                return false
            }
            connection.waitingForShare = false
            addToInputList(connection)
            resumed += 1
            return true
        }
        nextShareResume = next
        return resumed
    }

    /// Before sleeping: asks the writer to signal once its consumer position reaches the
    /// first resume position (the store, then a re-check: a writer that passed it before
    /// seeing the store is never waited for). True when it has already passed it.
    func armShareWake() -> Bool {
        guard !shareWaiters.isEmpty else { return false }
        shareWake.store(nextShareResume, ordering: .sequentiallyConsistent)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return inbound.consumerPosition >= nextShareResume
    }
}
