import ShmRing

/// A client's request for a channel, one record of the connect ring (layout in
/// <doc:SharedMemoryHandshake>): the client's identity and its channel segment's name.
struct ConnectRequest: Equatable {
    /// The request layout version.
    static let version: UInt16 = 1
    /// Bytes before the name.
    static let headerLength = 16

    /// The client process.
    var client: ProcessIdentity
    /// The channel segment it made (`/NAME-ch-PID-SEQ`).
    var channel: String

    /// Bytes of the encoded request.
    var encodedLength: Int { Self.headerLength + channel.utf8.count }

    /// Writes the request into `buffer` (``encodedLength`` bytes).
    func encode(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= encodedLength, "connect request buffer too small")
        buffer.storeBytes(of: Self.version.littleEndian, toByteOffset: 0, as: UInt16.self)
        buffer.storeBytes(of: UInt16(channel.utf8.count).littleEndian, toByteOffset: 2, as: UInt16.self)
        buffer.storeBytes(of: client.pid.littleEndian, toByteOffset: 4, as: Int32.self)
        buffer.storeBytes(of: client.startTime.littleEndian, toByteOffset: 8, as: UInt64.self)
        for (index, byte) in channel.utf8.enumerated() { buffer[Self.headerLength + index] = byte }
    }

    /// Decodes a request from untrusted bytes, checking every field against `names` (the
    /// channel must be one of this server's); throws the field that is wrong.
    static func decode(_ bytes: UnsafeRawBufferPointer, names: SharedMemoryNames) throws(ConnectRejection) -> ConnectRequest {
        guard bytes.count >= headerLength else {
            throw ConnectRejection("connect request of \(bytes.count) bytes; at least \(headerLength) needed")
        }
        let version = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
        guard version == Self.version else { throw ConnectRejection("connect request version \(version); this server reads \(Self.version)") }
        let nameLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        guard (2...SharedMemorySegment.maxNameLength).contains(nameLength), bytes.count == headerLength + nameLength else {
            throw ConnectRejection("connect request name length \(nameLength) in a record of \(bytes.count) bytes")
        }
        let pid = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self))
        guard pid > 0 else { throw ConnectRejection("connect request pid \(pid)") }
        let start = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[headerLength...])
        guard let channel = String(validating: nameBytes, as: UTF8.self), names.isChannel(channel) else {
            throw ConnectRejection("connect request names a segment that is not one of this server's channels (\(names.channelPrefix)...)")
        }
        return ConnectRequest(client: ProcessIdentity(pid: pid, startTime: start), channel: channel)
    }
}

/// Why the server rejected a connect request (a field named, for `lastRejection`).
struct ConnectRejection: Error, CustomStringConvertible {
    /// The account.
    let description: String
    init(_ description: String) { self.description = description }
}
