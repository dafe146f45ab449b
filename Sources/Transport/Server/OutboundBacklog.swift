/// Frames for one connection that its carrier could not take yet (`wouldBlock`), kept in
/// order and sent before anything newer: `[length u32][frame]` records in one byte array.
struct OutboundBacklog {
    private var bytes: [UInt8] = []
    private var start = 0

    /// Whether nothing waits.
    var isEmpty: Bool { start == bytes.count }
    /// Bytes waiting.
    var byteCount: Int { bytes.count - start }

    /// Queues a copy of `frame`.
    mutating func append(_ frame: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: UInt32(frame.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: frame)
    }

    /// Offers queued frames to `send` in order until it refuses one (false); returns whether
    /// the backlog is now empty.
    mutating func drain(_ send: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        bytes.withUnsafeBytes { raw in
            while start < raw.count {
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
                let frame = UnsafeRawBufferPointer(rebasing: raw[start + 4..<start + 4 + length])
                guard send(frame) else { return }
                start += 4 + length
            }
        }
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: false)
            start = 0
            return true
        }
        return false
    }
}
