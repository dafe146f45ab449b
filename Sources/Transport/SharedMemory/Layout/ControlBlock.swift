import ShmRing
import Synchronization

/// The server's control block: region 0 of the control segment `/NAME-ctl` (layout in
/// <doc:SharedMemoryHandshake>). A view over shared memory: every value read from it is
/// checked by the reader before use.
struct ControlBlock {
    /// `RINGCTRL` in ASCII, read as a little-endian UInt64.
    static let magic: UInt64 = 0x4C52_5443_474E_4952
    /// The layout major version: a reader accepts only its own.
    static let majorVersion: UInt16 = 1
    /// The layout minor version: additions that change no meaning.
    static let minorVersion: UInt16 = 0
    /// The region's size.
    static let length = 4096

    static let magicOffset = 0
    static let majorOffset = 8
    static let minorOffset = 10
    static let stateOffset = 12
    static let maxClientsOffset = 16
    static let connectedOffset = 20
    static let inboundCapacityOffset = 24
    static let outboundCapacityOffset = 32
    static let acceptedOffset = 40
    static let rejectedOffset = 48
    static let heartbeatOffset = 128
    static let doorbellOffset = 256

    /// Server state: accepting connections.
    static let running: UInt32 = 1
    /// Server state: shut down (the segment is about to disappear).
    static let shutDown: UInt32 = 2

    /// First byte of the block, in a mapping kept alive by the control segment's connect ring.
    let base: UnsafeMutableRawPointer

    /// A view over the block at `unsafeBase` (4096 bytes, page-aligned, mapped while the view
    /// is used).
    init(unsafeBase: UnsafeMutableRawPointer) { base = unsafeBase }

    private func atomic32(_ offset: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        (base + offset).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    private func atomic64(_ offset: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        (base + offset).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    /// The server's doorbell.
    var doorbell: Doorbell { Doorbell(unsafeWord: base + Self.doorbellOffset) }

    /// Writes a fresh block (server, once), then the magic with release ordering.
    func initialise(maxClients: Int, inboundCapacity: Int, outboundCapacity: Int, now: Int64) {
        base.storeBytes(of: Self.majorVersion, toByteOffset: Self.majorOffset, as: UInt16.self)
        base.storeBytes(of: Self.minorVersion, toByteOffset: Self.minorOffset, as: UInt16.self)
        base.storeBytes(of: UInt32(maxClients), toByteOffset: Self.maxClientsOffset, as: UInt32.self)
        base.storeBytes(of: Int64(inboundCapacity), toByteOffset: Self.inboundCapacityOffset, as: Int64.self)
        base.storeBytes(of: Int64(outboundCapacity), toByteOffset: Self.outboundCapacityOffset, as: Int64.self)
        atomic64(Self.heartbeatOffset).pointee.store(now, ordering: .relaxed)
        atomic32(Self.stateOffset).pointee.store(Self.running, ordering: .relaxed)
        (base + Self.magicOffset).assumingMemoryBound(to: Atomic<UInt64>.self).pointee
            .store(Self.magic, ordering: .releasing)
    }

    /// The magic as published (zero while the server is still starting).
    var publishedMagic: UInt64 {
        (base + Self.magicOffset).assumingMemoryBound(to: Atomic<UInt64>.self).pointee.load(ordering: .acquiring)
    }

    /// The layout version as written (major, minor).
    var version: (major: UInt16, minor: UInt16) {
        (base.load(fromByteOffset: Self.majorOffset, as: UInt16.self),
         base.load(fromByteOffset: Self.minorOffset, as: UInt16.self))
    }

    /// The server state (``running`` or ``shutDown``; anything else is hostile).
    var state: UInt32 {
        get { atomic32(Self.stateOffset).pointee.load(ordering: .acquiring) }
        nonmutating set { atomic32(Self.stateOffset).pointee.store(newValue, ordering: .releasing) }
    }

    /// Capacity of each client → server ring, as announced (unchecked).
    var inboundCapacity: Int64 { base.load(fromByteOffset: Self.inboundCapacityOffset, as: Int64.self) }

    /// Capacity of each server → client ring, as announced (unchecked).
    var outboundCapacity: Int64 { base.load(fromByteOffset: Self.outboundCapacityOffset, as: Int64.self) }

    /// `CLOCK_MONOTONIC` nanoseconds of the server's latest poll.
    var heartbeat: Int64 {
        get { atomic64(Self.heartbeatOffset).pointee.load(ordering: .relaxed) }
        nonmutating set { atomic64(Self.heartbeatOffset).pointee.store(newValue, ordering: .relaxed) }
    }

    /// Informational counters for `ringside stat`: clients now, accepted and rejected so far.
    func publishCounters(connected: Int, accepted: UInt64, rejected: UInt64) {
        atomic32(Self.connectedOffset).pointee.store(UInt32(truncatingIfNeeded: connected), ordering: .relaxed)
        atomic64(Self.acceptedOffset).pointee.store(Int64(truncatingIfNeeded: accepted), ordering: .relaxed)
        atomic64(Self.rejectedOffset).pointee.store(Int64(truncatingIfNeeded: rejected), ordering: .relaxed)
    }
}
