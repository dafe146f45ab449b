import CRingside
import Glibc
import ShmRing
import Synchronization

/// What a connection's callers and its ticker thread share: the mutex that serialises them,
/// the core it guards, and the doorbell that wakes the ticker.
final class ConnectionShared: @unchecked Sendable {
    // @unchecked: `core` is only touched inside `withCore`, under `lock`; the doorbell and the
    // flag are thread-safe by themselves.

    /// Serialises every use of `core` (in process memory).
    private let lock = Mutex<Void>(())
    /// The connection's state.
    private let core: ConnectionCore
    /// Wakes the ticker (an async caller started waiting, or the connection closes).
    let tickerBell = ProcessDoorbell()
    /// Set when the connection closes.
    let closing = Atomic<Bool>(false)
    /// The carrier's doorbell, which the ticker may sleep on outside the mutex
    /// (``ConnectionCore/prepareIdleWait(timeout:)``); nil on carriers without one. Valid as
    /// long as `core` (which holds the carrier) lives.
    private let carrierDoorbell: Doorbell?
    /// Empty polls a spinning stream reader makes per yield of the processor:
    /// ``ConnectionConfiguration/memoryPollsPerYield`` on a carrier that receives from memory,
    /// 1 (a yield at every empty poll) on one whose receive costs a system call.
    let pollsPerYield: Int

    init(core: ConnectionCore) {
        self.core = core
        carrierDoorbell = core.carrier.sleepDoorbell
        pollsPerYield = core.carrier.receivesFromMemory ? ConnectionConfiguration.memoryPollsPerYield : 1
    }

    /// The pause of a caller spinning for an answer or an item (a blocking request-response,
    /// a blocking stream reader, the ticker) after an empty poll, `idle` counting them: a
    /// yield of the processor every `pollsPerYield` of them (the thread that answers may be
    /// waiting for this processor: on 2 cores, a spin that never yields holds off the server
    /// until the scheduler preempts it, milliseconds), a spin-loop hint between.
    @inline(__always)
    static func pause(afterEmptyPolls idle: Int, pollsPerYield: Int) {
        if idle % pollsPerYield == 0 { sched_yield() } else { ringside_cpu_relax() }
    }

    /// Wakes the ticker wherever it sleeps: on its own doorbell, or on the carrier's.
    func wakeTicker() {
        tickerBell.doorbell.ring()
        carrierDoorbell?.ring()
    }

    /// Runs `body` with the core, under the mutex.
    func withCore<Result>(_ body: (ConnectionCore) throws(TransportError) -> Result) throws(TransportError) -> Result {
        var outcome: Result?
        var problem: TransportError?
        lock.withLock { _ in
            do throws(TransportError) {
                outcome = try body(core)
            } catch {
                problem = error
            }
        }
        if let problem { throw problem }
        return outcome!
    }
}
