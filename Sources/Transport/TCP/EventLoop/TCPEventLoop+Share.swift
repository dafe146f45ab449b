import CRingside
import ShmRing
import Synchronization

/// Keeping each connection within its share of the inbound ring (``InboundShare``,
/// ``TCPCarrierConfiguration/inboundShare``).
///
/// The share is what the writer consumes in ``shareWorkTime`` (measured over windows of
/// ``shareSampleInterval`` in which the writer, not the input, set the pace: records were
/// still waiting at the window's end), at least ``minimumShare`` and at most
/// ``TCPCarrierConfiguration/inboundShare``. A request on another connection therefore waits
/// behind about that much of the writer's time per flooding peer, however slow the writer is
/// (a debug build on busy cores drains a few hundred records a second: a fixed quarter of a
/// 2 MiB ring would be a minute of its work), while a fast writer keeps the whole
/// configured share and loses no throughput.
///
/// A connection found at its share before a read stops being read and waits on
/// ``shareWaiters`` for the writer's consumer position to reach the point where it holds three
/// quarters of its share (a quarter of the share consumed, the rest still the writer's work
/// while the I/O thread wakes up and reads); then it goes back on the input list, behind the
/// connections already there. A read never takes more than the share has room for. The
/// writer learns of the wait through ``shareWake`` only when the I/O thread goes to sleep.
extension TCPEventLoop {
    /// The writer's time a connection may keep queued in the ring ahead of the others.
    static let shareWorkTime: Duration = .milliseconds(10)
    /// How often the writer's pace is measured.
    static let shareSampleInterval: Duration = .milliseconds(5)
    /// The least share, whatever the writer's pace (but never above the configured one).
    static let minimumShare = 16 << 10
    /// The least read, so that a share nearly used up does not make reads of a few bytes.
    static let minimumShareRead = 4 << 10

    /// The bytes the connection may read now: its share less what it holds in the ring (0:
    /// none). Notes the records it posted since `start` (moved on to the ring's tail) first.
    func shareRoom(_ connection: TCPConnection, since start: inout Int64) -> Int {
        let tail = inbound.producerPosition
        connection.share.note(from: start, to: tail)
        start = tail
        let consumer = inbound.consumerPosition
        measureWriterPace(consumer: consumer, tail: tail)
        let held = connection.share.unconsumed(consumer: consumer)
        return held < currentShare ? max(currentShare - held, Self.minimumShareRead) : 0
    }

    /// Updates ``currentShare`` once per ``shareSampleInterval``: the bytes the writer consumed
    /// in the window, scaled to ``shareWorkTime``, when records were still waiting at its end
    /// (the writer set the pace); a window the writer ended idle only lets the share grow.
    func measureWriterPace(consumer: Int64, tail: Int64) {
        let now = ContinuousClock.now
        let elapsed = now - shareSampleTime
        guard elapsed >= Self.shareSampleInterval else { return }
        let consumed = Double(consumer - shareSamplePosition)
        let paced = Int(consumed * (Self.shareWorkTime / elapsed))
        let bounded = min(inboundShare, max(min(Self.minimumShare, inboundShare), paced))
        currentShare = tail > consumer ? bounded : max(currentShare, bounded)
        shareSampleTime = now
        shareSamplePosition = consumer
    }

    /// The connection holds its share: it is not read until the writer has consumed a quarter of it.
    func waitForShare(_ connection: TCPConnection) {
        guard !connection.waitingForShare else { return }
        let resume = connection.share.position(leaving: currentShare - currentShare / 4, consumer: inbound.consumerPosition)
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
