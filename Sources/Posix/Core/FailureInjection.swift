import Glibc
import Synchronization

/// The seam through which tests make a system call fail: arm a call with an `Errno` and its
/// next `count` invocations through this module fail with it before reaching the kernel.
///
/// Process-wide by default, so tests that arm it must not run concurrently with others that
/// make the same call (Swift Testing: `.serialized`); a test whose call runs on its own
/// thread arms it with `onThisThreadOnly: true`, and then calls that other tests make at the
/// same time on other threads go through untouched. When nothing is armed the cost on every
/// call is one relaxed atomic load.
///
/// ```swift
/// FailureInjection.arm(.ftruncate, with: .noSpace)
/// #expect(throws: SegmentError.self) { try SharedMemorySegment.create(name: "/t", regionSizes: [4096]) }
/// FailureInjection.disarmAll()
/// ```
public enum FailureInjection {
    /// Whether any call is armed (the fast-path check).
    @usableFromInline
    static let armed = Atomic<Bool>(false)

    /// One armed call: its error, how many more times it fails, and the only thread it
    /// fails on (nil: any).
    struct Plan {
        let errno: Errno
        var remaining: Int
        let thread: pthread_t?
    }

    /// Armed calls.
    static let plans = Mutex<[SystemCall: Plan]>([:])

    /// True while some call is armed.
    @inlinable
    public static var isArmed: Bool { armed.load(ordering: .relaxed) }

    /// Makes the next `count` invocations of `call` fail with `errno` (with
    /// `onThisThreadOnly`, only those made on the calling thread).
    public static func arm(_ call: SystemCall, with errno: Errno, count: Int = 1, onThisThreadOnly: Bool = false) {
        plans.withLock { plans in
            plans[call] = Plan(errno: errno, remaining: count, thread: onThisThreadOnly ? pthread_self() : nil)
            armed.store(true, ordering: .relaxed)
        }
    }

    /// Removes the armed failure of `call`, if any (others stay armed).
    public static func disarm(_ call: SystemCall) {
        plans.withLock { plans in
            plans[call] = nil
            if plans.isEmpty { armed.store(false, ordering: .relaxed) }
        }
    }

    /// Removes every armed failure.
    public static func disarmAll() {
        plans.withLock { plans in
            plans.removeAll()
            armed.store(false, ordering: .relaxed)
        }
    }

    /// The injected error for one invocation of `call`, if it is armed (and counts it down).
    @usableFromInline
    static func take(_ call: SystemCall) -> Errno? {
        plans.withLock { plans in
            guard var plan = plans[call] else { return nil }
            if let thread = plan.thread, pthread_equal(thread, pthread_self()) == 0 { return nil }
            plan.remaining -= 1
            plans[call] = plan.remaining > 0 ? plan : nil
            if plans.isEmpty { armed.store(false, ordering: .relaxed) }
            return plan.errno
        }
    }
}
