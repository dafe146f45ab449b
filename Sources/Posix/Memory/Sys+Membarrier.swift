import CRingside
import Glibc

extension SystemCall {
    /// `membarrier(2)`.
    public static let membarrier = SystemCall("membarrier")
}

/// A `membarrier(2)` command (`MEMBARRIER_CMD_*` of `<linux/membarrier.h>`); each but
/// ``query`` is one bit of the mask ``query`` answers.
public enum MembarrierCommand: Int32, Sendable, CaseIterable {
    /// The mask of the commands this kernel supports.
    case query = 0
    /// A memory barrier on every running thread of every process (slow: waits for an RCU
    /// grace period).
    case global = 1
    /// A memory barrier, by inter-processor interrupt, on every running thread of every
    /// process that registered with ``registerGlobalExpedited``; the caller gets one too.
    case globalExpedited = 2
    /// Registers the calling process as a target of ``globalExpedited`` (every thread, now
    /// and later; never undone).
    case registerGlobalExpedited = 4
    /// A memory barrier on every running thread of the calling process (which registered with
    /// ``registerPrivateExpedited``).
    case privateExpedited = 8
    /// Registers the calling process for ``privateExpedited``.
    case registerPrivateExpedited = 16

    /// This command's bit in the mask that ``query`` answers (0 for ``query`` itself).
    public var bit: Int32 { rawValue }
}

extension Sys {
    /// `membarrier(command, 0)`: what the kernel returns (for ``MembarrierCommand/query``, the
    /// mask of supported commands; 0 otherwise). Fails with `ENOSYS` on a kernel without the
    /// call (or a seccomp filter that forbids it), `EINVAL` for a command it lacks, `EPERM`
    /// for ``MembarrierCommand/privateExpedited`` before registering.
    @discardableResult
    public static func membarrier(_ command: MembarrierCommand) throws(SystemCallError) -> Int32 {
        try SystemCall.membarrier.run { ringside_membarrier(command.rawValue, 0) }
    }
}
