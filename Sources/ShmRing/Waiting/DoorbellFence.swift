import Glibc
import Posix

/// How a ``Doorbell`` orders a producer's publication against a consumer's announcement that
/// it sleeps (the store-load pair of the Dekker pattern; <doc:Waiting> gives the argument).
public enum DoorbellFence: Sendable, Equatable {
    /// The producer, on every ring, only keeps the compiler from reordering; the consumer,
    /// each time it announces sleep, issues `membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)`,
    /// which makes every CPU running a thread of a registered process execute a full barrier.
    case asymmetric
    /// A full fence on both sides: the producer fences on every ring.
    case symmetric

    /// This process's choice, made once, on first use: ``asymmetric`` when the kernel offers
    /// both `MEMBARRIER_CMD_GLOBAL_EXPEDITED` and its registration and registering this
    /// process succeeded (every process that rings a doorbell must be registered: the
    /// membarrier reaches only those); ``symmetric`` otherwise (an old kernel, a seccomp
    /// filter), or when the environment says `RINGSIDE_DOORBELL_FENCE=symmetric` (to compare
    /// the two, or to rule the membarrier out). A child made by `fork` without `exec` inherits
    /// the choice but not the registration, so it must not ring a doorbell (the package
    /// spawns, never forks).
    public static let processDefault: DoorbellFence = {
        if let forced = getenv("RINGSIDE_DOORBELL_FENCE"), String(cString: forced) == "symmetric" { return .symmetric }
        let needed = MembarrierCommand.globalExpedited.bit | MembarrierCommand.registerGlobalExpedited.bit
        guard let supported = try? Sys.membarrier(.query), supported & needed == needed,
              (try? Sys.membarrier(.registerGlobalExpedited)) != nil else { return .symmetric }
        return .asymmetric
    }()
}
