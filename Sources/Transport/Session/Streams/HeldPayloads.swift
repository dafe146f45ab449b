/// Payloads a responder produced while its requester had no credit, kept in order until a
/// REQUEST_N: each as flags, metadata and data, copied into one raw buffer per stream.
///
/// Trivially copyable (its buffer is raw memory), so stream records copy as plain bytes; the
/// stream's owner calls ``deallocate()`` once the stream is forgotten.
struct HeldPayloads {
    /// Records: `[complete u8][next u8][has metadata u8][metadata u32][data u32][metadata][data]`.
    private var bytes = GrowableBytes()
    /// Where the first unreleased record starts.
    private var start = 0
    /// Payloads (with N) held.
    private(set) var nextCount = 0
    /// Whether a completion is held (it is always the last record).
    private(set) var holdsCompletion = false

    /// Bytes of a record's header.
    static let headerSize = 11

    /// Whether nothing is held.
    var isEmpty: Bool { start == bytes.count }
    /// Bytes held.
    var byteCount: Int { bytes.count - start }

    /// Adds a payload (`next`) and/or the completion at the end.
    mutating func append(metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer, next: Bool, complete: Bool) {
        var header = (UInt8(0), UInt8(0), UInt8(0), UInt32(0), UInt32(0))
        withUnsafeMutableBytes(of: &header) { raw in
            raw[0] = complete ? 1 : 0
            raw[1] = next ? 1 : 0
            raw[2] = metadata == nil ? 0 : 1
            raw.storeBytes(of: UInt32(metadata?.count ?? 0), toByteOffset: 3, as: UInt32.self)
            raw.storeBytes(of: UInt32(data.count), toByteOffset: 7, as: UInt32.self)
            bytes.append(UnsafeRawBufferPointer(rebasing: raw[..<Self.headerSize]))
        }
        if let metadata { bytes.append(metadata) }
        bytes.append(data)
        if next { nextCount += 1 }
        if complete { holdsCompletion = true }
    }

    /// Hands held records to `body` in order while `credit` allows (a record with N uses one
    /// credit; a bare completion uses none); returns the credit left and the bytes released.
    mutating func release(
        credit: UInt32, _ body: (_ metadata: UnsafeRawBufferPointer?, _ data: UnsafeRawBufferPointer, _ next: Bool, _ complete: Bool) -> Void
    ) -> (credit: UInt32, released: Int) {
        var credit = credit
        let before = byteCount
        let raw = bytes.bytes
        while start < raw.count {
            let complete = raw[start] != 0
            let next = raw[start + 1] != 0
            if next && credit == 0 { break }
            let metadataCount = Int(raw.loadUnaligned(fromByteOffset: start + 3, as: UInt32.self))
            let dataCount = Int(raw.loadUnaligned(fromByteOffset: start + 7, as: UInt32.self))
            let metadataStart = start + Self.headerSize
            let metadata = raw[start + 2] != 0
                ? UnsafeRawBufferPointer(rebasing: raw[metadataStart..<metadataStart + metadataCount]) : nil
            let dataStart = metadataStart + metadataCount
            body(metadata, UnsafeRawBufferPointer(rebasing: raw[dataStart..<dataStart + dataCount]), next, complete)
            if next {
                credit = Credit.usingOne(credit)
                nextCount -= 1
            }
            if complete { holdsCompletion = false }
            start = dataStart + dataCount
        }
        if start == bytes.count {
            bytes.removeAll()
            start = 0
        }
        return (credit, before - byteCount)
    }

    /// Frees the buffer.
    func deallocate() { bytes.deallocate() }
}
