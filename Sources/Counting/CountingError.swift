/// Why a counting run was refused or could not start.
public enum CountingError: Error, CustomStringConvertible, Equatable {
    /// The thread count is outside what the mode allows (exactly 1 for one-thread modes).
    case threadsOutOfRange(mode: CountingMode, threads: Int, allowed: ClosedRange<Int>)
    /// The target is outside `allowed`.
    case targetOutOfRange(target: UInt64, allowed: ClosedRange<UInt64>)
    /// The batch of the single-writer mode is outside `allowed`.
    case batchOutOfRange(batch: UInt64, allowed: ClosedRange<UInt64>)
    /// The time budget is not a finite number of seconds within `allowed`.
    case budgetOutOfRange(seconds: Double, allowed: ClosedRange<Double>)
    /// A worker thread could not be started (`pthread_create` returned `errno`).
    case threadStartFailed(thread: Int, errno: Int32)

    /// A sentence for people: the setting, its value and what is allowed.
    public var description: String {
        switch self {
        case .threadsOutOfRange(let mode, let threads, let allowed):
            "mode \(mode.rawValue) runs on \(allowed.lowerBound == allowed.upperBound ? "exactly \(allowed.lowerBound) thread" : "\(allowed.lowerBound) to \(allowed.upperBound) threads"), not \(threads)"
        case .targetOutOfRange(let target, let allowed):
            "target \(target) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .batchOutOfRange(let batch, let allowed):
            "batch \(batch) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .budgetOutOfRange(let seconds, let allowed):
            "budget \(seconds) s is outside \(allowed.lowerBound)...\(allowed.upperBound) s"
        case .threadStartFailed(let thread, let errno):
            "cannot start counting thread \(thread) (pthread_create error \(errno))"
        }
    }
}
