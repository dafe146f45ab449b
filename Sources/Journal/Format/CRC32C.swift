import CCRC32C

/// CRC32C (Castagnoli: polynomial `0x1EDC6F41`, reflected, initial value and final XOR
/// `0xFFFFFFFF`), the checksum of every journal record. Computed with the processor's CRC32C
/// instructions where it has them (x86-64 SSE4.2, checked once at run time; AArch64 CRC),
/// eight bytes per instruction; otherwise eight bytes at a time with slicing-by-8 tables
/// (eight 256-entry tables, one lookup per input byte, no data-dependent loop). Both give the
/// same values.
///
/// `checksum` of `123456789` is `0xE3069283`. ``update(_:_:)`` continues a checksum over more
/// bytes, so the checksum of two ranges read apart is `update(checksum(a), b)`.
public enum CRC32C {
    /// Whether ``update(_:_:)`` uses the processor's CRC32C instructions (else the tables).
    public static let isHardwareAccelerated = ringside_crc32c_hardware_available() == 1

    /// The CRC32C of `bytes`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// The CRC32C of the bytes `partial` was the checksum of, followed by `bytes` (`partial`
    /// 0 starts a new checksum).
    public static func update(_ partial: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let pointer = bytes.baseAddress else { return partial }
        guard isHardwareAccelerated else { return tableUpdate(partial, bytes) }
        return ~ringside_crc32c_hardware_update(~partial, pointer, bytes.count)
    }

    /// ``update(_:_:)`` computed with the slicing-by-8 tables whatever the processor has (the
    /// fallback, and the reference the instructions are tested against).
    public static func tableUpdate(_ partial: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var pointer = bytes.baseAddress else { return partial }
        var remaining = bytes.count
        var crc = ~partial
        let table = CRC32CTables.shared.entries
        while remaining >= 8 {
            let low = crc ^ UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self))
            let high = UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            crc = table[7 &* 256 &+ Int(low & 0xFF)]
                ^ table[6 &* 256 &+ Int((low >> 8) & 0xFF)]
                ^ table[5 &* 256 &+ Int((low >> 16) & 0xFF)]
                ^ table[4 &* 256 &+ Int(low >> 24)]
                ^ table[3 &* 256 &+ Int(high & 0xFF)]
                ^ table[2 &* 256 &+ Int((high >> 8) & 0xFF)]
                ^ table[1 &* 256 &+ Int((high >> 16) & 0xFF)]
                ^ table[Int(high >> 24)]
            pointer += 8
            remaining &-= 8
        }
        while remaining > 0 {
            crc = table[Int((crc ^ UInt32(pointer.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            pointer += 1
            remaining &-= 1
        }
        return ~crc
    }
}

/// The eight slicing tables, made once per process and never changed or freed.
struct CRC32CTables: @unchecked Sendable {
    // Unchecked: the memory is written only in `init`, before `shared` publishes it (a global
    // `let` is initialised once, thread-safely); afterwards every thread only reads it.

    /// Table k (k = 0..<8) at `entries[k * 256 ..< (k + 1) * 256]`.
    let entries: UnsafePointer<UInt32>

    /// The process's tables.
    static let shared = CRC32CTables()

    private init() {
        let polynomial: UInt32 = 0x82F6_3B78  // 0x1EDC6F41 reflected
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            table[index] = crc
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = table[(slice - 1) * 256 + index]
                table[slice * 256 + index] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        entries = UnsafePointer(table)
    }
}
