import CRingside
import Glibc

extension SystemCall {
    /// The `futex(FUTEX_WAIT)` call, by the name its failures carry.
    public static let futexWait = SystemCall("futex(FUTEX_WAIT)")
    /// The `futex(FUTEX_WAKE)` call, by the name its failures carry.
    public static let futexWake = SystemCall("futex(FUTEX_WAKE)")
}

/// How a ``Sys/futexWait(_:expected:timeout:)`` ended.
public enum FutexWaitOutcome: Sendable, Equatable {
    /// Another thread or process woke it (or a spurious wake-up: re-check the condition).
    case woken
    /// The word no longer held the expected value when the call began.
    case valueChanged
    /// The timeout passed.
    case timedOut
    /// A signal interrupted the wait.
    case interrupted
}

extension Sys {
    /// Sleeps while the 32-bit word at `word` holds `expected`, at most `timeout` (nil: no
    /// limit). A shared futex: the word may sit in memory mapped by several processes.
    public static func futexWait(
        _ word: UnsafeMutableRawPointer, expected: UInt32, timeout: Duration?
    ) throws(SystemCallError) -> FutexWaitOutcome {
        if FailureInjection.isArmed, let injected = FailureInjection.take(.futexWait) {
            throw SystemCallError(.futexWait, injected)
        }
        var nanoseconds: Int64 = -1
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            nanoseconds = max(0, seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
        }
        let result = ringside_futex_wait(word.assumingMemoryBound(to: UInt32.self), expected, nanoseconds)
        if result == 0 { return .woken }
        switch errno {
        case EAGAIN: return .valueChanged
        case ETIMEDOUT: return .timedOut
        case EINTR: return .interrupted
        default: throw SystemCallError(.futexWait, .current)
        }
    }

    /// Wakes up to `count` sleepers on the word at `word`: how many were woken.
    @discardableResult
    public static func futexWake(_ word: UnsafeMutableRawPointer, count: Int32 = Int32.max) throws(SystemCallError) -> Int {
        Int(try SystemCall.futexWake.run { ringside_futex_wake(word.assumingMemoryBound(to: UInt32.self), count) })
    }
}
