import Synchronization

/// A serialised drain: any thread may signal that work is pending, exactly one thread drains
/// at a time, and a signal that arrives while a drain is running is never lost.
///
/// This is the work-in-progress counter of reactive-streams libraries. `signal` increments the
/// counter; the caller that moved it from zero becomes the drainer and runs the drain body,
/// then subtracts the signals it has accounted for. If more arrived meanwhile the counter is
/// still above zero, so the same thread drains again; otherwise the drain is released and the
/// next signal makes a new drainer. Every other caller returns at once and may go and do
/// something else: the work it announced will be seen by the current drainer's next pass.
///
/// Ordering: whatever a thread wrote before `signal` is visible to the drain pass that
/// accounts for that signal, and whatever one drainer wrote is visible to the next drainer,
/// so state touched only inside drain bodies needs no lock.
///
/// `signal` allocates nothing and takes no lock.
public final class SerialDrain: Sendable {
    private let workInProgress = CacheLineIsolated(Atomic<Int>(0))

    /// A drain with no signal pending.
    public init() {}

    /// Signals that work is pending. If no other thread is draining, the caller becomes the
    /// drainer: it runs `drain` once, and again for as long as new signals arrived during the
    /// previous pass, then returns `true`. Otherwise it returns `false` immediately and the
    /// thread that is draining will run `drain` again on this signal's behalf.
    ///
    /// `drain` must take all the work that is available when it runs (a pass may account for
    /// several signals) and must not throw; it may call `signal` itself, which then only
    /// asks for another pass.
    @discardableResult
    public func signal(_ drain: () -> Void) -> Bool {
        guard workInProgress.value.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue == 0 else {
            return false
        }
        var accounted = 1
        repeat {
            drain()
            accounted = workInProgress.value.wrappingSubtract(accounted, ordering: .acquiringAndReleasing).newValue
        } while accounted != 0
        return true
    }

    /// Whether a drain is running or a signal is pending (a racy snapshot: useful to wait
    /// politely before signalling again, never as a guarantee).
    public var isDraining: Bool {
        workInProgress.value.load(ordering: .acquiring) != 0
    }
}
