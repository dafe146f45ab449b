import CRingside
import Posix
import Synchronization

/// A wake-up word for one sleeping consumer and any number of producers, in shared memory or
/// in process memory: an event count over a futex.
///
/// Producers pay for a wake-up only when the consumer has announced that it sleeps: after
/// publishing work, ``ring()`` costs a full fence and a load while nobody sleeps, and one
/// `futex(FUTEX_WAKE)` when somebody does. The consumer announces, re-checks its work, then
/// sleeps; work published between the two is never missed (the Dekker pattern: the sleeper's
/// announcement and the producer's publication are both followed by a sequentially
/// consistent fence before the other side's flag is read).
///
/// ```swift
/// // consumer, after polls found nothing for a while:
/// let ticket = doorbell.prepareToSleep()
/// if ring.hasWork { doorbell.cancelSleep() } else { doorbell.sleep(ticket, timeout: .milliseconds(100)) }
/// // producer, after ring.write(...):
/// doorbell.ring()
/// ```
///
/// The word: bit 31 says a consumer sleeps (or is about to); bits 0-30 count wake-ups. It
/// needs 4 bytes, 4-aligned; keep it on a cache line of its own (``Doorbell/storageSize``).
public struct Doorbell: @unchecked Sendable {
    /// Bytes to reserve for one doorbell: a cache line pair of its own.
    public static let storageSize = Int(RINGSIDE_CACHE_LINE_PADDING)

    /// The sleeper bit.
    @usableFromInline static let sleeping: UInt32 = 1 << 31

    /// The word.
    @usableFromInline let word: UnsafeMutablePointer<Atomic<UInt32>>

    /// A doorbell over 4 bytes at `unsafeWord` (4-aligned, zero when new), in a mapping that
    /// outlives every copy of this value.
    public init(unsafeWord: UnsafeMutableRawPointer) {
        precondition(Int(bitPattern: unsafeWord) % 4 == 0, "a doorbell word must be 4-aligned")
        word = unsafeWord.assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    /// Announces that the consumer is about to sleep and returns the ticket to sleep on. The
    /// caller must re-check for work after this and before ``sleep(_:timeout:)``.
    @inlinable
    public func prepareToSleep() -> UInt32 {
        let old = word.pointee.bitwiseOr(Self.sleeping, ordering: .sequentiallyConsistent).oldValue
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

    /// Wakes the consumer if it announced sleep; call after publishing work.
    @inlinable
    public func ring() {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        var current = word.pointee.load(ordering: .relaxed)
        while current & Self.sleeping != 0 {
            let next = (current &+ 1) & ~Self.sleeping
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
