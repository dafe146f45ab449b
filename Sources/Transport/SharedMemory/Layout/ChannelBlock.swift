import ShmRing
import Synchronization

/// The state of a channel, in its block (values as in <doc:SharedMemoryHandshake>).
enum ChannelState: UInt32 {
    /// The client made the channel and waits for the server.
    case pending = 0
    /// The server accepted it.
    case accepted = 1
    /// The server refused it (the block holds the reason).
    case refused = 2
    /// The client stopped waiting before the server answered.
    case abandoned = 3
    /// The client closed the connection.
    case closedByClient = 4
    /// The server closed the connection (the block holds the reason).
    case closedByServer = 5
}

/// A channel's block: region 0 of a channel segment `/NAME-ch-PID-SEQ` (layout in
/// <doc:SharedMemoryHandshake>). A view over shared memory written by both processes:
/// every value read from it is checked before use.
struct ChannelBlock {
    /// `RINGCHAN` in ASCII, read as a little-endian UInt64.
    static let magic: UInt64 = 0x4E41_4843_474E_4952
    /// The layout major version: a reader accepts only its own.
    static let majorVersion: UInt16 = 1
    /// The layout minor version.
    static let minorVersion: UInt16 = 0
    /// The region's size.
    static let length = 4096

    static let magicOffset = 0
    static let majorOffset = 8
    static let minorOffset = 10
    static let stateOffset = 12
    static let connectionOffset = 16
    static let serverPidOffset = 24
    static let reasonLengthOffset = 28
    static let serverStartOffset = 32
    static let reasonOffset = 64
    static let doorbellOffset = 384

    /// First byte of the block, in a mapping kept alive by the channel's rings.
    let base: UnsafeMutableRawPointer

    /// A view over the block at `unsafeBase` (4096 bytes, page-aligned, mapped while the view
    /// is used).
    init(unsafeBase: UnsafeMutableRawPointer) { base = unsafeBase }

    private var stateWord: UnsafeMutablePointer<Atomic<UInt32>> {
        (base + Self.stateOffset).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    private var magicWord: UnsafeMutablePointer<Atomic<UInt64>> {
        (base + Self.magicOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The client's doorbell.
    var doorbell: Doorbell { Doorbell(unsafeWord: base + Self.doorbellOffset) }

    /// Writes a fresh block (client, once): versions, state pending, then the magic.
    func initialise() {
        base.storeBytes(of: Self.majorVersion, toByteOffset: Self.majorOffset, as: UInt16.self)
        base.storeBytes(of: Self.minorVersion, toByteOffset: Self.minorOffset, as: UInt16.self)
        stateWord.pointee.store(ChannelState.pending.rawValue, ordering: .relaxed)
        magicWord.pointee.store(Self.magic, ordering: .releasing)
    }

    /// Why the block cannot be trusted, or nil when its magic and major version are this
    /// build's.
    var layoutProblem: String? {
        let found = magicWord.pointee.load(ordering: .acquiring)
        guard found == Self.magic else { return "channel block magic 0x\(String(found, radix: 16))" }
        let major = base.load(fromByteOffset: Self.majorOffset, as: UInt16.self)
        guard major == Self.majorVersion else { return "channel layout major version \(major); this server reads \(Self.majorVersion)" }
        return nil
    }

    /// The state as stored now: nil for a value no correct peer writes.
    var state: ChannelState? { ChannelState(rawValue: stateWord.pointee.load(ordering: .acquiring)) }

    /// Moves the state from `expected` to `desired`; false when it was not `expected`.
    func transition(from expected: ChannelState, to desired: ChannelState) -> Bool {
        stateWord.pointee.compareExchange(expected: expected.rawValue, desired: desired.rawValue, ordering: .acquiringAndReleasing).exchanged
    }

    /// The connection id the server assigned (meaningful once accepted).
    var connection: UInt64 {
        get { base.load(fromByteOffset: Self.connectionOffset, as: UInt64.self) }
        nonmutating set { base.storeBytes(of: newValue, toByteOffset: Self.connectionOffset, as: UInt64.self) }
    }

    /// The server that accepted the channel (written before the state moves to accepted).
    var server: ProcessIdentity {
        get {
            ProcessIdentity(pid: base.load(fromByteOffset: Self.serverPidOffset, as: Int32.self),
                            startTime: base.load(fromByteOffset: Self.serverStartOffset, as: UInt64.self))
        }
        nonmutating set {
            base.storeBytes(of: newValue.pid, toByteOffset: Self.serverPidOffset, as: Int32.self)
            base.storeBytes(of: newValue.startTime, toByteOffset: Self.serverStartOffset, as: UInt64.self)
        }
    }

    /// The refusal or close reason; a length beyond the field is reported, never followed.
    var reason: String {
        let length = Int(base.load(fromByteOffset: Self.reasonLengthOffset, as: UInt32.self))
        guard length <= ChannelRecord.maxReasonLength else {
            return "(reason length \(length) exceeds \(ChannelRecord.maxReasonLength))"
        }
        return String(decoding: UnsafeRawBufferPointer(start: base + Self.reasonOffset, count: length), as: UTF8.self)
    }

    /// Stores a reason (cut to 256 bytes) before a state change that publishes it.
    func setReason(_ reason: String) {
        let bytes = ChannelRecord.reasonBytes(reason)
        bytes.withUnsafeBytes { raw in
            if let source = raw.baseAddress { (base + Self.reasonOffset).copyMemory(from: source, byteCount: raw.count) }
        }
        base.storeBytes(of: UInt32(bytes.count), toByteOffset: Self.reasonLengthOffset, as: UInt32.self)
    }
}
