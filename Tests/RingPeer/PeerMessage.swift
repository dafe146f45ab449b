/// The message the test peers write: producer id and sequence number, 16 bytes, followed by
/// filler bytes (`sequence & 0xFF`) up to the message's length.
struct PeerMessage {
    /// Which producer wrote it.
    var producer: UInt32
    /// The producer's sequence number, from 0.
    var sequence: UInt64

    /// Bytes of the id and sequence; messages are at least this long.
    static let headerLength = 16

    /// Writes the message into `bytes` (at least ``headerLength`` long) and fills the rest.
    func encode(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: producer, toByteOffset: 0, as: UInt32.self)
        bytes.storeBytes(of: 0, toByteOffset: 4, as: UInt32.self)
        bytes.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
        for index in PeerMessage.headerLength..<bytes.count {
            bytes[index] = UInt8(truncatingIfNeeded: sequence)
        }
    }
}
