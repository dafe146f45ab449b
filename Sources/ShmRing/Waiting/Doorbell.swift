import CRingside
import Posix
import Synchronization

/// A wake-up word for one sleeping consumer and any number of producers, in shared memory or
/// in process memory: an event count over a futex.
///
/// Producers pay for a wake-up only when the consumer has announced that it sleeps: after
/// publishing work, ``ring()`` costs one load while nobody sleeps, and one `futex(FUTEX_WAKE)`
/// when somebody does. The consumer announces, re-checks its work, then sleeps; work published
/// between the two is never missed.
///
/// ```swift
/// // consumer, after polls found nothing for a while:
/// let ticket = doorbell.prepareToSleep()
/// if ring.hasWork { doorbell.cancelSleep() } else { doorbell.sleep(ticket, timeout: .milliseconds(100)) }
/// // producer, after ring.write(...):
/// doorbell.ring()
/// ```
///
/// ## Why no wake-up is missed
///
/// Each side stores, then loads what the other stored: the producer its tail, then the word;
/// the consumer its sleeper bit, then the tail (the Dekker pattern). Store-load is the one
/// order x86 does not keep by itself, so one side or both need a full barrier in between.
/// With ``DoorbellFence/asymmetric`` (the default wherever the kernel offers it) the
/// producer, which rings on every message, pays nothing but a compiler barrier; the consumer,
/// which announces sleep only after spinning for a while, pays for both sides with
/// `membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)` between its announcement and its re-check
/// (``DoorbellFence`` says how the choice is made). The membarrier interrupts every CPU running
/// a thread of a registered process (every process that rings registers first) and has each
/// execute a full barrier; a thread that is not running is at a full barrier already (a
/// context switch is one). That barrier cuts the producer's instruction stream in two:
///
/// - its tail store came before the cut: the store is globally visible when the membarrier
///   returns, so the consumer's re-check, after it, sees the work and does not sleep;
/// - or after the cut: then so did its load of the word (program order, which the compiler
///   barrier keeps), and the consumer's sleeper bit, stored (by a locked read-modify-write)
///   before the membarrier began, is visible to that load, so the producer sees the sleeper
///   and wakes it.
///
/// Either way the work is found. With ``DoorbellFence/symmetric`` (no membarrier in this
/// process, or one that failed) both sides fence: the producer's full fence, the consumer's
/// locked read-modify-write. A consumer that cannot issue the membarrier says so in the word
/// (bit 30, set for good), and a producer that sees the bit fences and loads again, so
/// processes that chose differently still meet: the consumer's first announcement then hands
/// out a ticket that does not match the word, and its first sleep returns at once, so the one
/// load a producer may have made before the bit was set costs a poll, not a lost wake-up.
///
/// The word: bit 31 says a consumer sleeps (or is about to); bit 30 that producers must
/// fence; bits 0-29 count wake-ups. It needs 4 bytes, 4-aligned; keep it on a cache line of its
/// own (``Doorbell/storageSize``).
public struct Doorbell: @unchecked Sendable {
    /// Bytes to reserve for one doorbell: a cache line pair of its own.
    public static let storageSize = Int(RINGSIDE_CACHE_LINE_PADDING)

    /// The sleeper bit.
    @usableFromInline static let sleeping: UInt32 = 1 << 31
    /// The bit a consumer without membarrier sets: producers must fence before loading the word.
    @usableFromInline static let fenced: UInt32 = 1 << 30
    /// The wake-up count's bits.
    @usableFromInline static let count: UInt32 = fenced &- 1

    /// The word.
    @usableFromInline let word: UnsafeMutablePointer<Atomic<UInt32>>
    /// Whether this process orders the two sides with membarrier (``DoorbellFence/asymmetric``).
    @usableFromInline let asymmetric: Bool

    /// A doorbell over 4 bytes at `unsafeWord` (4-aligned, zero when new), in a mapping that
    /// outlives every copy of this value. `fence`: how it orders a ring against a sleeper's
    /// announcement; ``DoorbellFence/asymmetric`` holds only where the process could register
    /// for membarrier (``DoorbellFence/processDefault``), and is ``DoorbellFence/symmetric``
    /// elsewhere. Tests pass `.symmetric` to exercise the fallback.
    public init(unsafeWord: UnsafeMutableRawPointer, fence: DoorbellFence = .processDefault) {
        precondition(Int(bitPattern: unsafeWord) % 4 == 0, "a doorbell word must be 4-aligned")
        word = unsafeWord.assumingMemoryBound(to: Atomic<UInt32>.self)
        asymmetric = fence == .asymmetric && DoorbellFence.processDefault == .asymmetric
    }

    /// How this doorbell orders a ring against a sleeper's announcement.
    public var fence: DoorbellFence { asymmetric ? .asymmetric : .symmetric }

    /// Announces that the consumer is about to sleep and returns the ticket to sleep on. The
    /// caller must re-check for work after this and before ``sleep(_:timeout:)``. Costs a
    /// locked read-modify-write and, with ``DoorbellFence/asymmetric``, one
    /// `membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)` (the producers' half of the fence).
    public func prepareToSleep() -> UInt32 {
        if asymmetric {
            let old = word.pointee.bitwiseOr(Self.sleeping, ordering: .sequentiallyConsistent).oldValue
            if (try? Sys.membarrier(.globalExpedited)) != nil { return old | Self.sleeping }
        }
        // No membarrier: producers must fence. Until this announcement set the bit, one of
        // them may have loaded the word unfenced; a ticket without the bit makes this first
        // sleep return at once (the word differs), and the caller polls again.
        let old = word.pointee.bitwiseOr(Self.sleeping | Self.fenced, ordering: .sequentiallyConsistent).oldValue
        return old | Self.sleeping
    }

    /// Withdraws the announcement (work turned up on the re-check).
    @inlinable
    public func cancelSleep() {
        word.pointee.bitwiseAnd(~Self.sleeping, ordering: .relaxed)
    }

    /// Sleeps until a producer rings, at most `timeout` (nil: no limit), unless a ring already
    /// came after ``prepareToSleep()``. Returns at once on a signal; the caller re-checks
    /// its work in every case, since wake-ups may be spurious.
    public func sleep(_ ticket: UInt32, timeout: Duration?) {
        _ = try? Sys.futexWait(UnsafeMutableRawPointer(word), expected: ticket, timeout: timeout)
        word.pointee.bitwiseAnd(~Self.sleeping, ordering: .relaxed)
    }

    /// Wakes the consumer if it announced sleep; call after publishing work. While nobody
    /// sleeps: a compiler barrier and a load (``DoorbellFence/asymmetric``), or a full fence
    /// and a load (``DoorbellFence/symmetric``, or a consumer that set the fence bit).
    @inlinable
    public func ring() {
        if asymmetric {
            ringside_compiler_barrier()
        } else {
            atomicMemoryFence(ordering: .sequentiallyConsistent)
        }
        let current = word.pointee.load(ordering: .relaxed)
        if _slowPath(current & (Self.sleeping | Self.fenced) != 0) { ringSlowly(current) }
    }

    /// The rest of ``ring()`` when the word has a bit set: the fence a fence-bit consumer
    /// asks for, then the wake-up if somebody sleeps.
    @usableFromInline
    func ringSlowly(_ loaded: UInt32) {
        var current = loaded
        if asymmetric && current & Self.fenced != 0 {
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            current = word.pointee.load(ordering: .relaxed)
        }
        while current & Self.sleeping != 0 {
            let next = (current & Self.fenced) | ((current &+ 1) & Self.count)
            let (exchanged, found) = word.pointee.compareExchange(
                expected: current, desired: next, ordering: .sequentiallyConsistent)
            if exchanged {
                wake()
                return
            }
            current = found
        }
    }

    /// Whether a consumer has announced sleep (for counters and tests).
    @inlinable
    public var hasSleeper: Bool { word.pointee.load(ordering: .relaxed) & Self.sleeping != 0 }

    /// Whether a consumer that cannot issue the membarrier has asked producers to fence (for
    /// tests).
    public var asksProducersToFence: Bool { word.pointee.load(ordering: .relaxed) & Self.fenced != 0 }

    /// The futex wake, out of line: the slow path.
    @usableFromInline
    func wake() {
        _ = try? Sys.futexWake(UnsafeMutableRawPointer(word))
    }
}

/// A ``Doorbell`` in process memory, for a consumer whose producers are threads of the same
/// process (the TCP carrier's I/O thread waking the single writer when no shared-memory
/// segment holds the doorbell). The doorbell is valid while this object lives.
public final class ProcessDoorbell: @unchecked Sendable {
    /// The doorbell.
    public let doorbell: Doorbell
    /// Its storage: a cache line pair of its own.
    private let storage: UnsafeMutableRawPointer

    /// A new doorbell, nobody sleeping.
    public init() {
        storage = UnsafeMutableRawPointer.allocate(byteCount: Doorbell.storageSize, alignment: Int(RINGSIDE_CACHE_LINE_PADDING))
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: Doorbell.storageSize)
        doorbell = Doorbell(unsafeWord: storage)
    }

    deinit { storage.deallocate() }
}
