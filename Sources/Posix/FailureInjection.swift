import Synchronization

/// The seam through which tests make a system call fail: arm a call with an `Errno` and its
/// next `count` invocations through this module fail with it before reaching the kernel.
///
/// Process-wide, so tests that arm it must not run concurrently with others that make the
/// same call (Swift Testing: `.serialized`). When nothing is armed the cost on every call
/// is one relaxed atomic load.
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

    /// Armed calls and how many more times each fails.
    static let plans = Mutex<[SystemCall: (errno: Errno, remaining: Int)]>([:])

    /// True while some call is armed.
    @inlinable
    public static var isArmed: Bool { armed.load(ordering: .relaxed) }

    /// Makes the next `count` invocations of `call` fail with `errno`.
    public static func arm(_ call: SystemCall, with errno: Errno, count: Int = 1) {
        plans.withLock { plans in
            plans[call] = (errno, count)
            armed.store(true, ordering: .relaxed)
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
            guard let plan = plans[call] else { return nil }
            if plan.remaining <= 1 { plans[call] = nil } else { plans[call] = (plan.errno, plan.remaining - 1) }
            if plans.isEmpty { armed.store(false, ordering: .relaxed) }
            return plan.errno
        }
    }
}
