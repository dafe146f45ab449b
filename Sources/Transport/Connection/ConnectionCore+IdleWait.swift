import ShmRing

/// An idle reader's sleep on the shared-memory carrier's doorbell: announced under the
/// connection's mutex (``ConnectionCore/prepareIdleWait(timeout:)``), slept once the caller
/// has released it.
struct IdleSleep {
    /// The carrier: kept alive (its channel mapped, the doorbell in it) while the sleep lasts.
    let carrier: SharedMemoryClientCarrier
    let ticket: UInt32
    let timeout: Duration

    /// Sleeps until the server rings the doorbell, at most the timeout; call it without the
    /// connection's mutex.
    func sleep() {
        carrier.doorbell.sleep(ticket, timeout: timeout)
    }
}

extension ConnectionCore {
    /// How an idle reader goes on after ``prepareIdleWait(timeout:)``.
    enum IdleWait {
        /// Frames, or the connection's end, may be there: read again now.
        case ready
        /// Sleep, with the mutex released.
        case sleep(IdleSleep)
    }

    /// Called under the mutex by a reader whose reads found nothing for a while (the ticker,
    /// a blocking stream reader). On shared memory it announces the sleep on the carrier's
    /// doorbell and re-checks, as the carrier's `waitForWork` does (the server's liveness,
    /// frames unread, the channel's state), and hands the sleep back to be slept outside the
    /// mutex: a caller sharing the connection (an insert on another thread) never waits
    /// behind an idle reader. Other carriers offer no sleep apart from their `waitForWork`:
    /// there the reader waits in it, holding the mutex, at most 2 ms.
    func prepareIdleWait(timeout: Duration) -> IdleWait {
        guard failure == nil else { return .ready }
        guard let shm = carrier as? SharedMemoryClientCarrier else {
            do { try carrier.waitForWork(timeout: min(timeout, .milliseconds(2))) } catch { fail(error) }
            return .ready
        }
        do {
            try shm.checkServer(now: SharedMemoryClock.now())
        } catch {
            fail(error)
            return .ready
        }
        let ticket = shm.doorbell.prepareToSleep()
        if shm.inbound.producerPosition != shm.inbound.consumerPosition || shm.block.state != .accepted {
            shm.doorbell.cancelSleep()
            return .ready
        }
        return .sleep(IdleSleep(carrier: shm, ticket: ticket, timeout: min(timeout, shm.configuration.livenessInterval)))
    }
}
