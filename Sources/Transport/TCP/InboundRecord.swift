import Posix
import ShmRing

/// The records the TCP carrier's I/O thread hands its writer through the inbound ring, one
/// per ``CarrierEvent``. Every payload starts with the connection's id (8 bytes); then:
///
/// | type | after the id |
/// |---|---|
/// | ``opened`` | the peer's address, UTF-8 |
/// | ``frame`` | the frame |
/// | ``largeFrame`` | the address (8 bytes) and length (8 bytes) of a frame too long for the ring, in an allocation whose ownership moves to the writer; the frame starts 3 bytes in |
/// | ``malformed`` | the reason, UTF-8 |
/// | ``closed`` | the reason's kind (4 bytes), an errno (4 bytes), then UTF-8 text: the failed system call's name, or why the peer died |
///
/// The ring lives in this process and is written by the carrier alone, so a record that
/// does not decode is a bug in the carrier, not hostile input.
enum InboundRecord {
    static let opened: Int32 = 1
    static let frame: Int32 = 2
    static let largeFrame: Int32 = 3
    static let malformed: Int32 = 4
    static let closed: Int32 = 5

    private static let idLength = 8

    /// The bytes of ring a frame of `length` bytes needs as a ``frame`` record, or nil when it
    /// must travel as a ``largeFrame``.
    static func fitsRing(_ ring: OneToOneRing, frameLength length: Int) -> Bool {
        idLength + length <= ring.maxMessageLength
    }

    /// Writes a record of `type`: the id, then `parts` in order. False when the ring is full.
    private static func post(
        _ ring: OneToOneRing, type: Int32, id: ConnectionID, _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> Bool {
        let claimed: RingClaim?
        do {
            claimed = try ring.tryClaim(type: type, length: idLength + first.count + second.count)
        } catch {
            preconditionFailure("TCP carrier: inbound record refused by its own ring: \(error)")
        }
        guard let claim = claimed else { return false }
        claim.withUnsafeMutableBytes { payload in
            payload.storeBytes(of: id.rawValue, toByteOffset: 0, as: UInt64.self)
            if let base = first.baseAddress, first.count > 0 {
                (payload.baseAddress! + idLength).copyMemory(from: base, byteCount: first.count)
            }
            if let base = second.baseAddress, second.count > 0 {
                (payload.baseAddress! + idLength + first.count).copyMemory(from: base, byteCount: second.count)
            }
        }
        claim.commit()
        return true
    }

    /// Posts ``opened``.
    static func postOpened(_ ring: OneToOneRing, id: ConnectionID, peer: String) -> Bool {
        var peer = peer
        return peer.withUTF8 { post(ring, type: opened, id: id, UnsafeRawBufferPointer($0)) }
    }

    /// Posts ``frame`` (the frame must fit: ``fitsRing(_:frameLength:)``).
    static func postFrame(_ ring: OneToOneRing, id: ConnectionID, _ bytes: UnsafeRawBufferPointer) -> Bool {
        post(ring, type: frame, id: id, bytes)
    }

    /// Posts ``largeFrame``: on success the writer owns `allocation` (the prefix, then the frame).
    static func postLargeFrame(_ ring: OneToOneRing, id: ConnectionID, allocation: UnsafeMutableRawBufferPointer) -> Bool {
        var fields = (UInt64(UInt(bitPattern: allocation.baseAddress)), UInt64(allocation.count))
        return withUnsafeBytes(of: &fields) { post(ring, type: largeFrame, id: id, $0) }
    }

    /// Posts ``malformed``.
    static func postMalformed(_ ring: OneToOneRing, id: ConnectionID, reason: String) -> Bool {
        var reason = reason
        return reason.withUTF8 { post(ring, type: malformed, id: id, UnsafeRawBufferPointer($0)) }
    }

    /// Posts ``closed``.
    static func postClosed(_ ring: OneToOneRing, id: ConnectionID, reason: CarrierCloseReason) -> Bool {
        var fields: (UInt32, Int32) = (0, 0)
        var call = ""
        switch reason {
        case .peerClosed: fields.0 = 0
        case .ioError(let error):
            fields = (1, error.errno.rawValue)
            call = error.call.name
        case .closedLocally: fields.0 = 2
        case .shutdown: fields.0 = 3
        case .peerDied(let why):
            fields.0 = 4
            call = why
        }
        return withUnsafeBytes(of: &fields) { header in
            call.withUTF8 { post(ring, type: closed, id: id, header, UnsafeRawBufferPointer($0)) }
        }
    }

    /// The connection a record is about.
    static func connection(of payload: UnsafeRawBufferPointer) -> ConnectionID {
        ConnectionID(rawValue: payload.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    }

    /// Hands the event a record holds to `handler`, then frees a large frame's allocation.
    static func deliver(type: Int32, payload: UnsafeRawBufferPointer, to handler: (CarrierEvent) -> Void) {
        let id = connection(of: payload)
        let rest = UnsafeRawBufferPointer(rebasing: payload[idLength...])
        switch type {
        case frame:
            handler(.frame(id, rest))
        case largeFrame:
            let allocation = largeAllocation(rest)
            handler(.frame(id, UnsafeRawBufferPointer(rebasing: allocation[3...])))
            allocation.deallocate()
        case opened:
            handler(.opened(id, peer: String(decoding: rest, as: UTF8.self)))
        case malformed:
            handler(.malformed(id, reason: String(decoding: rest, as: UTF8.self)))
        case closed:
            handler(.closed(id, closeReason(rest)))
        default:
            preconditionFailure("TCP carrier: unknown inbound record type \(type)")
        }
    }

    /// Releases what a record owns without delivering it (at shutdown).
    static func discard(type: Int32, payload: UnsafeRawBufferPointer) {
        if type == largeFrame {
            largeAllocation(UnsafeRawBufferPointer(rebasing: payload[idLength...])).deallocate()
        }
    }

    private static func largeAllocation(_ fields: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        let address = UInt(fields.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let count = Int(fields.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        return UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: address), count: count)
    }

    private static func closeReason(_ fields: UnsafeRawBufferPointer) -> CarrierCloseReason {
        switch fields.loadUnaligned(fromByteOffset: 0, as: UInt32.self) {
        case 1:
            let errno = Errno(rawValue: fields.loadUnaligned(fromByteOffset: 4, as: Int32.self))
            let call = SystemCall(String(decoding: UnsafeRawBufferPointer(rebasing: fields[8...]), as: UTF8.self))
            return .ioError(SystemCallError(call, errno))
        case 2: return .closedLocally
        case 3: return .shutdown
        case 4: return .peerDied(String(decoding: UnsafeRawBufferPointer(rebasing: fields[8...]), as: UTF8.self))
        default: return .peerClosed
        }
    }
}
