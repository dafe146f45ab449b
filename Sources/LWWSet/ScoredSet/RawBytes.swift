/// Comparisons of raw byte strings: lexicographic by unsigned byte value, a proper prefix
/// ordering before the longer string (memcmp order, as Redis orders equal-score members).
enum RawBytes {
    /// Negative, zero or positive as `a` orders before, equal to, or after `b`.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        var offset = 0
        while common - offset >= 8 {
            // Big-endian words compare like their bytes do, eight at a time.
            let left = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let right = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            if left != right { return left < right ? -1 : 1 }
            offset += 8
        }
        while offset < common {
            let left = a[offset]
            let right = b[offset]
            if left != right { return left < right ? -1 : 1 }
            offset += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Copies `source` to `destination` (which must not overlap it): short strings by a few
    /// word moves, in place of a call to memmove per member.
    @inline(__always)
    static func copy(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
        let count = source.count
        if count >= 8 && count <= 16 {
            // Two words, the second overlapping the first when shorter than 16 bytes.
            destination.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            destination.storeBytes(
                of: source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self), toByteOffset: count - 8, as: UInt64.self)
        } else if let start = source.baseAddress {
            destination.copyMemory(from: start, byteCount: count)
        }
    }

    /// Whether `a` and `b` hold the same bytes.
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let count = a.count
        guard count == b.count else { return false }
        if count >= 8 && count <= 16 {
            // Two words (the second overlapping the first when shorter than 16 bytes),
            // compared at once: a timeline's members and keys, without a loop or a branch
            // per word.
            let first = a.loadUnaligned(as: UInt64.self) ^ b.loadUnaligned(as: UInt64.self)
            let last = a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                ^ b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return first | last == 0
        }
        if count > 16 {
            // Whole words, the last one overlapping its predecessor.
            var offset = 0
            while offset + 8 < count {
                if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
                offset += 8
            }
            return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        for offset in 0 ..< count where a[offset] != b[offset] {
            return false
        }
        return true
    }
}

/// Runs `body` over the bytes of `collection`: in place when the collection stores them
/// contiguously (arrays, slices, `String.UTF8View`, raw buffers), otherwise over a copy.
@inlinable
func withContiguousBytes<Bytes: Collection<UInt8>, Result>(
    of collection: Bytes, _ body: (UnsafeRawBufferPointer) -> Result
) -> Result {
    if let result = collection.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(collection).withUnsafeBytes(body)
}
