/// A key's bytes: inline for keys of up to `inlineCapacity` bytes, otherwise where they lie
/// in its `KeyTable`. Kept in the key's `KeyState`, so that confirming a short key found by
/// its hash tag reads only the state's lines, which the write or select reads anyway (and
/// the key table stores no bytes of short keys).
struct KeyName: Sendable {
    /// The longest key whose bytes are kept inline.
    static let inlineCapacity = 24

    /// The key's offset in the key table's bytes, when it is not inline (0 otherwise).
    var offset: UInt32
    /// The key's length in bytes.
    var length: UInt32
    /// The key's bytes, zero-padded, when `length <= inlineCapacity`; zeros otherwise.
    private var inline: (UInt64, UInt64, UInt64)

    /// The name of `key`, whose bytes the key table stores at `offset` unless it is inline.
    init(_ key: UnsafeRawBufferPointer, offset: UInt32) {
        self.offset = offset
        self.length = UInt32(key.count)
        self.inline = Self.padded(key)
    }

    /// Whether the key's bytes are kept inline.
    var isInline: Bool { length <= UInt32(Self.inlineCapacity) }

    /// Whether this names `key`; `table` holds the bytes of keys that are not inline.
    @inline(__always)
    func names(_ key: UnsafeRawBufferPointer, in table: borrowing KeyTable) -> Bool {
        let count = key.count
        guard count == Int(length) else { return false }
        if count >= 8 && count <= Self.inlineCapacity {
            return namesInline(key.baseAddress.unsafelyUnwrapped, count: count)
        }
        return namesByBytes(key, in: table)
    }

    /// `names(_:in:)` of a key of the name's length shorter than 8 bytes or not inline: out
    /// of line, so that a batch's last pass, which inlines the common case, stays small
    /// enough for the compiler to inline its write into it.
    @inline(never)
    private func namesByBytes(_ key: UnsafeRawBufferPointer, in table: borrowing KeyTable) -> Bool {
        withBytes(in: table) { RawBytes.equal($0, key) }
    }

    /// Whether the inline bytes are the `count` bytes at `key` (8 to `inlineCapacity`, the
    /// key's length): whole words compared in place, the last one loaded from the key's end
    /// and shifted down to the zero-padded word that holds its tail.
    @inline(__always)
    private func namesInline(_ key: UnsafeRawPointer, count: Int) -> Bool {
        // Little-endian values of the words, so that a shift down drops the first bytes.
        let tail = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self))
        guard inline.0 == key.loadUnaligned(as: UInt64.self) else { return false }
        if count <= 16 {
            // Bytes 8 ..< count of the key, first byte lowest: the tail word shifted down by
            // the bytes it repeats (all of them when count is 8: a shift by 64 gives 0).
            return UInt64(littleEndian: inline.1) == tail >> UInt64(8 &* (16 &- count))
        }
        return inline.1 == key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            && UInt64(littleEndian: inline.2) == tail >> UInt64(8 &* (24 &- count))
    }

    /// Calls `body` with the key's bytes (`table` holds those that are not inline), valid
    /// only during the call.
    func withBytes<Result, Failure: Error>(
        in table: borrowing KeyTable, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard isInline else { return try table.withBytes(at: Int(offset), length: Int(length), body) }
        let length = Int(length)
        return try withUnsafeBytes(of: inline) { (words) throws(Failure) -> Result in
            try body(UnsafeRawBufferPointer(rebasing: words[..<length]))
        }
    }

    /// `key`'s bytes in three words, zero-padded, when it fits; zeros otherwise.
    @inline(__always)
    private static func padded(_ key: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64) {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        guard key.count <= inlineCapacity, let start = key.baseAddress else { return words }
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: start, byteCount: key.count) }
        return words
    }
}
