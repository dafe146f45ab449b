import Glibc

extension SystemCall {
    /// `pthread_sigmask(2)`.
    public static let signalMask = SystemCall("pthread_sigmask")
    /// `sigwait(3)`.
    public static let signalWait = SystemCall("sigwait")
}

extension Sys {
    /// Blocks `signals` in the calling thread and in every thread it starts afterwards
    /// (`pthread_sigmask(SIG_BLOCK)`), so that they stay pending for ``waitForSignal(_:)``
    /// instead of running a handler (or killing the process) on whichever thread they hit.
    public static func blockSignals(_ signals: [Int32]) throws(SystemCallError) {
        var set = signalSet(signals)
        try pthreadCall(.signalMask) { pthread_sigmask(SIG_BLOCK, &set, nil) }
    }

    /// Waits until one of `signals` (blocked with ``blockSignals(_:)``) is pending, takes it,
    /// and returns its number (`sigwait(3)`, which is never interrupted).
    public static func waitForSignal(_ signals: [Int32]) throws(SystemCallError) -> Int32 {
        var set = signalSet(signals)
        var taken: Int32 = 0
        try pthreadCall(.signalWait) { sigwait(&set, &taken) }
        return taken
    }

    private static func signalSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Runs a call that returns an error number instead of setting `errno` (the pthread style).
    private static func pthreadCall(_ call: SystemCall, _ body: () -> Int32) throws(SystemCallError) {
        if FailureInjection.isArmed, let injected = FailureInjection.take(call) { throw SystemCallError(call, injected) }
        let result = body()
        guard result == 0 else { throw SystemCallError(call, Errno(rawValue: result)) }
    }
}
