/// Payloads a responder produced while its requester had no credit, kept in order until a
/// REQUEST_N: each as flags, metadata and data, copied into one byte array per stream.
struct HeldPayloads {
    /// Records: `[complete u8][has metadata u8][metadata u32][data u32][metadata][data]`.
    private var bytes: [UInt8] = []
    /// Where the first unreleased record starts.
    private var start = 0
    /// Payloads (with N) held.
    private(set) var nextCount = 0
    /// Whether a completion is held (it is always the last record).
    private(set) var holdsCompletion = false

    /// Whether nothing is held.
    var isEmpty: Bool { start == bytes.count }
    /// Bytes held.
    var byteCount: Int { bytes.count - start }

    /// Adds a payload (`next`) and/or the completion at the end.
    mutating func append(metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer, next: Bool, complete: Bool) {
        bytes.append(complete ? 1 : 0)
        bytes.append(next ? 1 : 0)
        bytes.append(metadata == nil ? 0 : 1)
        appendUInt32(UInt32(metadata?.count ?? 0))
        appendUInt32(UInt32(data.count))
        if let metadata { bytes.append(contentsOf: metadata) }
        bytes.append(contentsOf: data)
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
        bytes.withUnsafeBytes { raw in
            while start < raw.count {
                let complete = raw[start] != 0
                let next = raw[start + 1] != 0
                if next && credit == 0 { break }
                let metadataCount = Int(Self.loadUInt32(raw, start + 3))
                let dataCount = Int(Self.loadUInt32(raw, start + 7))
                let metadataStart = start + 11
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
        }
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        }
        return (credit, before - byteCount)
    }

    private mutating func appendUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func loadUInt32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
