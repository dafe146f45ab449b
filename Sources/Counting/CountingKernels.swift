import CRingside
import Glibc

// The counting loops, one per mode, shaped like the C reference
// (limits/count_contention.c: modes asm, atomic1, faa, cas, drain). Each runs on one thread
// and returns what that thread counted, which the run reports, so even the folded loop's
// result must be computed, in whatever form the optimiser likes. None looks at the clock:
// they poll the board's stop flag (one relaxed load of a line nobody writes until the
// budget runs out) between chunks of increments, so the check costs nothing next to the
// increments themselves.
extension CountingBoard {
    /// Increments a thread makes between two looks at the stop flag.
    static var checkInterval: UInt64 { 4096 }

    /// The folded loop's chunk: large, so that the folded loop stays a handful of
    /// instructions per chunk, yet a debug build (which does not fold) still sees the flag.
    static var foldedCheckInterval: UInt64 { 1 << 26 }

    /// Runs `mode`'s loop on the calling thread.
    func count(_ mode: CountingMode) -> Tally {
        switch mode {
        case .plain: countPlain()
        case .folded: countFolded()
        case .atomic, .contended: countContended()
        case .cas: countCompareExchange()
        case .lock: countLocked()
        case .singleWriter: countSingleWriter()
        }
    }

    /// Counts from `start` to `end` in a register, one real add per increment: the barrier
    /// hides the value from the optimiser, which therefore cannot fold the loop.
    @inline(__always)
    static func countInRegister(from start: UInt64, to end: UInt64) -> UInt64 {
        var count = start
        while count < end { count = ringside_register_barrier_u64(count &+ 1) }
        return count
    }

    private func countPlain() -> Tally {
        let target = self.target
        var count: UInt64 = 0
        repeat {
            count = Self.countInRegister(from: count, to: min(count &+ Self.checkInterval, target))
        } while count < target && !stopRequested
        return Tally(increments: count)
    }

    private func countFolded() -> Tally {
        let target = self.target
        var count: UInt64 = 0
        repeat {
            let end = min(count &+ Self.foldedCheckInterval, target)
            while count < end { count &+= 1 }
        } while count < target && !stopRequested
        return Tally(increments: count)
    }

    /// `wrappingAdd` until the value it returns reaches the target. That last add is not
    /// counted, so the shared counter ends at target + threads while the increments counted
    /// add up to exactly the target.
    private func countContended() -> Tally {
        let target = self.target
        let counter = self.counter
        var mine: UInt64 = 0
        var reached = false
        repeat {
            var chunk: UInt64 = 0
            while chunk < Self.checkInterval {
                if counter.value.wrappingAdd(1, ordering: .relaxed).oldValue >= target {
                    reached = true
                    break
                }
                chunk &+= 1
            }
            mine &+= chunk
        } while !reached && !stopRequested
        return Tally(increments: mine)
    }

    /// Load, then compare-exchange v to v + 1 until the value reaches the target; a failed
    /// exchange retries from the value it saw. The counter ends at exactly the target.
    private func countCompareExchange() -> Tally {
        let target = self.target
        let counter = self.counter
        var mine: UInt64 = 0
        var seen = counter.value.load(ordering: .relaxed)
        repeat {
            var chunk: UInt64 = 0
            while chunk < Self.checkInterval && seen < target {
                let (exchanged, original) = counter.value.weakCompareExchange(
                    expected: seen, desired: seen &+ 1, ordering: .relaxed)
                if exchanged {
                    seen &+= 1
                    chunk &+= 1
                } else {
                    seen = original
                }
            }
            mine &+= chunk
        } while seen < target && !stopRequested
        return Tally(increments: mine)
    }

    /// Takes the lock, increments unless the target is reached, releases. The counter ends at
    /// exactly the target. The stop flag is read before every acquisition: next to a lock it
    /// costs nothing, and a lock convoy of many threads on few cores is slow enough that
    /// chunks of increments would overrun the budget by seconds.
    private func countLocked() -> Tally {
        let target = self.target
        let locked = self.locked
        var mine: UInt64 = 0
        repeat {
            let incremented = locked.value.lock.withLock { _ in
                let value = locked.value.count.load(ordering: .relaxed)
                guard value < target else { return false }
                locked.value.count.store(value &+ 1, ordering: .relaxed)
                return true
            }
            guard incremented else { break }
            mine &+= 1
        } while !stopRequested
        return Tally(increments: mine)
    }

    /// Signals the drain; the thread that wins it reads the published count, counts one batch
    /// in a register, publishes it with one release store, and goes round again while more
    /// signals arrived. A thread that lost spins politely (a pause, and a yield every 64
    /// spins) until the drain is free, then tries again. The counter ends at exactly the target.
    private func countSingleWriter() -> Tally {
        let target = self.target
        let batch = self.batch
        let counter = self.counter
        let drain = self.drain
        var tally = Tally()
        repeat {
            let drained = drain.signal {
                let start = counter.value.load(ordering: .relaxed)
                let end = Self.countInRegister(from: start, to: min(start &+ batch, target))
                counter.value.store(end, ordering: .releasing)
                tally.increments &+= end &- start
                tally.drains &+= 1
            }
            if !drained {
                var spins: UInt32 = 0
                while drain.isDraining && counter.value.load(ordering: .relaxed) < target && !stopRequested {
                    ringside_cpu_relax()
                    spins &+= 1
                    if spins & 63 == 0 { sched_yield() }
                }
            }
        } while counter.value.load(ordering: .acquiring) < target && !stopRequested
        return tally
    }
}
