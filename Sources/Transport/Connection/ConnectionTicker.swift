import DrainLoop

/// The connection's own thread: sends KEEPALIVE on schedule, gives up on a server silent for
/// longer than the max lifetime, and reads the carrier while async callers wait (blocking
/// callers drive the carrier themselves). Sleeps on its doorbell otherwise.
///
/// While async callers wait, an empty read is followed by a bounded spin (a read per turn,
/// at most ``spinBudget`` turns, without the clock and without holding the mutex between
/// turns) before the thread sleeps, at most 2 ms, on the carrier (on shared memory without
/// holding the mutex: ``ConnectionCore/prepareIdleWait(timeout:)``): a frame that arrives
/// soon after the last one is picked up at once, not after a futex wake. On a carrier that
/// receives from memory (shared memory) the spin keeps the processor for
/// ``ConnectionConfiguration/memoryPollsPerYield`` empty turns at a time (a spin-loop hint
/// per turn), then yields it: a processor shared with busy threads is given up every few
/// microseconds, and a frame that arrives while the thread holds it is read within a poll,
/// not after the other threads' turns (on a processor shared with a thread that yields in
/// a loop, every yield costs a round trip through the scheduler). On other carriers (an
/// empty read costs a system call) every empty turn yields.
///
/// After every read it runs the jobs of the connection's ``ConnectionExecutor`` (outside the
/// mutex, which they take): the tasks whose items that read delivered go on at once, here.
struct ConnectionTicker: Agent {
    let shared: ConnectionShared
    let executor: ConnectionExecutor
    let interval: Duration
    let lifetime: Duration
    var nextKeepalive: ContinuousClock.Instant
    /// Empty spin turns allowed after a read that found frames (0: sleep at once): at most
    /// 1,024 on a carrier that receives from memory (some tens of microseconds with their
    /// pause hints, about what the 256 yields of other carriers take on an idle processor), 256
    /// on others.
    let spinBudget: Int
    /// Empty turns per yield of the processor (``ConnectionShared/pollsPerYield``).
    let pollsPerYield: Int
    /// Spin turns left before the next empty read sleeps.
    var spinsLeft = 0
    /// Spin turns since the last full cycle: a full cycle (clock, keepalive, lifetime,
    /// expired responses) runs at least every ``fullCycleTurns`` turns even while frames
    /// keep arriving.
    var turns = 0
    static let fullCycleTurns = 1024
    /// Whether this thread told the executor it is the connection's thread.
    var adopted = false

    init(shared: ConnectionShared, executor: ConnectionExecutor, configuration: ConnectionConfiguration) {
        self.shared = shared
        self.executor = executor
        interval = configuration.keepaliveInterval
        lifetime = configuration.maxLifetime
        nextKeepalive = .now + configuration.keepaliveInterval
        pollsPerYield = shared.pollsPerYield
        spinBudget = min(configuration.spinPolls, pollsPerYield > 1 ? 1_024 : 256)
    }

    var roleName: String { "connection-ticker" }

    /// One cycle: a spin turn while async waiters were just served; otherwise keepalive and
    /// lifetime when due, and reads for async waiters.
    mutating func doWork() throws -> Int {
        if !adopted {
            adopted = true
            executor.adoptCurrentThread()
        }
        if spinsLeft > 0 && turns < Self.fullCycleTurns {
            turns += 1
            let count = (try? shared.withCore { (core) throws(TransportError) -> Int in
                core.failure == nil && core.asyncWaiters > 0 ? core.pump { _, _ in } : -1
            }) ?? -1
            let ran = executor.runJobs()
            if count > 0 || ran > 0 {
                spinsLeft = spinBudget
                return max(count, 0) + ran
            }
            if count == 0 {
                spinsLeft -= 1
                ConnectionShared.pause(afterEmptyPolls: spinsLeft, pollsPerYield: pollsPerYield)
                return 1
            }
            spinsLeft = 0
            return 0
        }
        turns = 0
        let now = ContinuousClock.now
        let dueKeepalive = now >= nextKeepalive
        if dueKeepalive { nextKeepalive = now + interval }
        let lifetime = lifetime
        let mayWait = spinsLeft == 0
        var sleep: CarrierSleep?
        var count = (try? shared.withCore { (core) throws(TransportError) -> Int in
            guard core.failure == nil else { return 0 }
            let first = core.pump { _, _ in }
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
            core.expireResponses()
            core.cancelAbandonedReads()
            var count = core.pump { _, _ in }
            if count == 0 && first == 0 && mayWait && !executor.hasJobs {
                sleep = core.prepareIdleWait(timeout: .milliseconds(2))
                if sleep == nil { count = core.pump { _, _ in } }
            }
            return first + count + 1
        }) ?? 0
        // Outside the mutex: callers sharing the connection go on meanwhile.
        sleep?.sleep()
        count += executor.runJobs()
        if count > 1 {
            spinsLeft = spinBudget
        } else if spinsLeft > 0 {
            spinsLeft -= 1
        }
        return count
    }

    /// Between cycles without async waiters: sleep until rung, or for a while (at most 500
    /// ms, less when the keepalive interval is shorter).
    static func idle(_ work: Int, shared: ConnectionShared, executor: ConnectionExecutor, interval: Duration) {
        guard work == 0 else { return }
        let bell = shared.tickerBell.doorbell
        let ticket = bell.prepareToSleep()
        let busy = shared.closing.load(ordering: .acquiring) || executor.hasJobs
            || ((try? shared.withCore { (core) throws(TransportError) -> Bool in core.asyncWaiters > 0 }) ?? false)
        if busy {
            bell.cancelSleep()
            return
        }
        bell.sleep(ticket, timeout: max(.milliseconds(1), min(interval / 2, .milliseconds(500))))
    }
}
