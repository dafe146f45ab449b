import DrainLoop

/// The connection's own thread: sends KEEPALIVE on schedule, gives up on a server silent for
/// longer than the max lifetime, and reads the carrier while async callers wait (blocking
/// callers drive the carrier themselves). Sleeps on its doorbell otherwise.
struct ConnectionTicker: Agent {
    let shared: ConnectionShared
    let interval: Duration
    let lifetime: Duration
    var nextKeepalive: ContinuousClock.Instant

    init(shared: ConnectionShared, configuration: ConnectionConfiguration) {
        self.shared = shared
        interval = configuration.keepaliveInterval
        lifetime = configuration.maxLifetime
        nextKeepalive = .now + configuration.keepaliveInterval
    }

    var roleName: String { "connection-ticker" }

    /// One cycle: keepalive and lifetime when due; reads for async waiters.
    mutating func doWork() throws -> Int {
        let now = ContinuousClock.now
        let dueKeepalive = now >= nextKeepalive
        if dueKeepalive { nextKeepalive = now + interval }
        let lifetime = lifetime
        return (try? shared.withCore { (core) throws(TransportError) -> Int in
            guard core.failure == nil else { return 0 }
            core.pump { _, _ in }
            if core.receivedSinceTick {
                core.receivedSinceTick = false
                core.lastReceived = now
            }
            if dueKeepalive { core.sendKeepalive(respond: true) }
            // Frames may wait unread (no caller reads while nobody awaits): read them before
            // judging the server silent.
            if now - core.lastReceived > lifetime, core.pump({ _, _ in }) == 0 {
                core.fail(.serverGone("no frame from the server within the max lifetime of \(lifetime)"))
                return 0
            }
            guard core.asyncWaiters > 0 else { return 0 }
            core.expireResponses(now: now)
            var count = core.pump { _, _ in }
            if count == 0 {
                try? core.carrier.waitForWork(timeout: .milliseconds(2))
                count = core.pump { _, _ in }
            }
            return count + 1
        }) ?? 0
    }

    /// Between cycles without async waiters: sleep until rung, or for a while (at most 500
    /// ms, less when the keepalive interval is shorter).
    static func idle(_ work: Int, shared: ConnectionShared, interval: Duration) {
        guard work == 0 else { return }
        let bell = shared.tickerBell.doorbell
        let ticket = bell.prepareToSleep()
        let busy = shared.closing.load(ordering: .acquiring)
            || ((try? shared.withCore { (core) throws(TransportError) -> Bool in core.asyncWaiters > 0 }) ?? false)
        if busy {
            bell.cancelSleep()
            return
        }
        bell.sleep(ticket, timeout: max(.milliseconds(1), min(interval / 2, .milliseconds(500))))
    }
}
