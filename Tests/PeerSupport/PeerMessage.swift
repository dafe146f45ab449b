/// The message the cross-process test peers write (`ring-peer` into rings, `transport-peer`
/// through a carrier): producer id and sequence number (16 bytes), then filler bytes
/// (`sequence & 0xFF`) up to the message's length, so that a reader can check order per
/// producer and every byte.
public struct PeerMessage: Equatable, Sendable {
    /// Which producer wrote it.
    public var producer: UInt32
    /// The producer's sequence number, from 0.
    public var sequence: UInt64

    /// Bytes of the id (4), a reserved word (4) and the sequence (8); messages are at least
    /// this long.
    public static let headerLength = 16

    /// A message of `producer`'s with `sequence`.
    public init(producer: UInt32, sequence: UInt64) {
        self.producer = producer
        self.sequence = sequence
    }

    /// Writes the message into `bytes` (at least ``headerLength`` long) and fills the rest.
    public func encode(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: producer, toByteOffset: 0, as: UInt32.self)
        bytes.storeBytes(of: 0, toByteOffset: 4, as: UInt32.self)
        bytes.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
        for index in Self.headerLength..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: sequence) }
    }

    /// Reads a message, or nil when `bytes` is too short or its filler is wrong.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> PeerMessage? {
        guard bytes.count >= headerLength else { return nil }
        let message = PeerMessage(producer: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self),
                                  sequence: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let filler = UInt8(truncatingIfNeeded: message.sequence)
        guard bytes[headerLength...].allSatisfy({ $0 == filler }) else { return nil }
        return message
    }
}
