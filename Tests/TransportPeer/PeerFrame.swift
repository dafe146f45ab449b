/// The frame the transport test peers send: producer id and sequence number (16 bytes),
/// then filler bytes (`sequence & 0xFF`) up to the frame's length.
struct PeerFrame: Equatable {
    /// Which producer sent it.
    var producer: UInt32
    /// The producer's sequence number, from 0.
    var sequence: UInt64

    /// Bytes of the id and sequence; frames are at least this long.
    static let headerLength = 16

    /// Writes the frame into `bytes` (at least ``headerLength`` long) and fills the rest.
    func encode(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: producer, toByteOffset: 0, as: UInt32.self)
        bytes.storeBytes(of: 0, toByteOffset: 4, as: UInt32.self)
        bytes.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
        for index in Self.headerLength..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: sequence) }
    }

    /// Reads a frame, or nil when `bytes` is too short or its filler is wrong.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> PeerFrame? {
        guard bytes.count >= headerLength else { return nil }
        let frame = PeerFrame(producer: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self),
                              sequence: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let filler = UInt8(truncatingIfNeeded: frame.sequence)
        guard bytes[headerLength...].allSatisfy({ $0 == filler }) else { return nil }
        return frame
    }
}
