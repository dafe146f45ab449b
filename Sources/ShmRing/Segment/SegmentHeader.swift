import Synchronization

/// The first page of every segment: what an opener checks before trusting anything else.
///
/// | offset | size | field |
/// |---:|---:|---|
/// | 0 | 8 | magic `RINGSIDE` (written last, with release ordering) |
/// | 8 | 4 | layout version |
/// | 12 | 4 | header length (4096) |
/// | 16 | 8 | total size in bytes (must equal the file's size) |
/// | 24 | 4 | owner pid |
/// | 28 | 4 | region count (1 to 32) |
/// | 32 | 8 | owner start time (clock ticks after boot) |
/// | 64 + 16·i | 8 + 8 | region i: offset, length |
///
/// Regions start on page boundaries after the header, in ascending order, without overlap.
struct SegmentHeader: Equatable {
    /// `RINGSIDE` in ASCII, read as a little-endian UInt64.
    static let magic: UInt64 = 0x4544_4953_474E_4952
    /// The layout version this build writes and reads.
    static let version: UInt32 = 1
    /// Bytes reserved for the header; regions start at or after this offset.
    static let length = 4096
    /// The most regions one segment holds.
    static let maxRegions = 32
    /// Region offsets are multiples of this.
    static let regionAlignment = 4096

    static let magicOffset = 0
    static let versionOffset = 8
    static let headerLengthOffset = 12
    static let totalSizeOffset = 16
    static let ownerPidOffset = 24
    static let regionCountOffset = 28
    static let ownerStartOffset = 32
    static let regionTableOffset = 64

    /// The segment's size in bytes.
    var totalSize: Int
    /// The process that created the segment.
    var owner: ProcessIdentity
    /// Where each region lies in the segment.
    var regions: [SegmentRegion]

    /// Lays out regions of the requested sizes after the header, each on a page boundary.
    static func layout(regionSizes: [Int], owner: ProcessIdentity, name: String) throws(SegmentError) -> SegmentHeader {
        guard (1...maxRegions).contains(regionSizes.count) else {
            throw SegmentError(.validateLayout, name: name, .invalidLayout("\(regionSizes.count) regions; 1 to \(maxRegions) allowed"))
        }
        var regions: [SegmentRegion] = []
        var offset = length
        for size in regionSizes {
            guard size > 0, size <= Int(Int32.max) else {
                throw SegmentError(.validateLayout, name: name, .invalidLayout("region size \(size) outside 1...\(Int32.max)"))
            }
            regions.append(SegmentRegion(offset: offset, length: size))
            offset += (size + regionAlignment - 1) / regionAlignment * regionAlignment
        }
        return SegmentHeader(totalSize: offset, owner: owner, regions: regions)
    }

    /// Writes every field, then the magic with release ordering, so that an opener that sees
    /// the magic sees the rest.
    func write(to base: UnsafeMutableRawPointer) {
        base.storeBytes(of: SegmentHeader.version, toByteOffset: SegmentHeader.versionOffset, as: UInt32.self)
        base.storeBytes(of: UInt32(SegmentHeader.length), toByteOffset: SegmentHeader.headerLengthOffset, as: UInt32.self)
        base.storeBytes(of: UInt64(totalSize), toByteOffset: SegmentHeader.totalSizeOffset, as: UInt64.self)
        base.storeBytes(of: owner.pid, toByteOffset: SegmentHeader.ownerPidOffset, as: Int32.self)
        base.storeBytes(of: UInt32(regions.count), toByteOffset: SegmentHeader.regionCountOffset, as: UInt32.self)
        base.storeBytes(of: owner.startTime, toByteOffset: SegmentHeader.ownerStartOffset, as: UInt64.self)
        for (index, region) in regions.enumerated() {
            let entry = SegmentHeader.regionTableOffset + 16 * index
            base.storeBytes(of: UInt64(region.offset), toByteOffset: entry, as: UInt64.self)
            base.storeBytes(of: UInt64(region.length), toByteOffset: entry + 8, as: UInt64.self)
        }
        SegmentHeader.magicWord(base).pointee.store(SegmentHeader.magic, ordering: .releasing)
    }

    /// Reads and checks a header from `base`, a mapping of `fileSize` bytes (at least
    /// ``length``): every field is copied out once, then validated, and only the copy is used.
    static func read(from base: UnsafeMutableRawPointer, fileSize: Int, name: String) throws(SegmentError) -> SegmentHeader {
        func fail(_ reason: SegmentError.Reason) -> SegmentError {
            SegmentError(.validateHeader, name: name, reason)
        }
        let magic = magicWord(base).pointee.load(ordering: .acquiring)
        guard magic == SegmentHeader.magic else { throw fail(.badMagic(found: magic)) }
        let version = base.load(fromByteOffset: versionOffset, as: UInt32.self)
        guard version == SegmentHeader.version else { throw fail(.unsupportedVersion(found: version, expected: SegmentHeader.version)) }
        let headerLength = base.load(fromByteOffset: headerLengthOffset, as: UInt32.self)
        guard headerLength == UInt32(length) else { throw fail(.badHeaderLength(found: headerLength)) }
        let totalSize = base.load(fromByteOffset: totalSizeOffset, as: UInt64.self)
        guard totalSize == UInt64(fileSize) else { throw fail(.sizeMismatch(header: totalSize, file: fileSize)) }
        let owner = ProcessIdentity(
            pid: base.load(fromByteOffset: ownerPidOffset, as: Int32.self),
            startTime: base.load(fromByteOffset: ownerStartOffset, as: UInt64.self))
        let count = Int(base.load(fromByteOffset: regionCountOffset, as: UInt32.self))
        guard (1...maxRegions).contains(count) else { throw fail(.badRegions("count \(count)")) }
        var regions: [SegmentRegion] = []
        var end = UInt64(length)
        for index in 0..<count {
            let entry = regionTableOffset + 16 * index
            let offset = base.load(fromByteOffset: entry, as: UInt64.self)
            let regionLength = base.load(fromByteOffset: entry + 8, as: UInt64.self)
            guard offset >= end, offset % UInt64(regionAlignment) == 0 else {
                throw fail(.badRegions("region \(index) at offset \(offset) overlaps or is misaligned"))
            }
            guard offset <= totalSize, regionLength > 0, regionLength <= UInt64(Int32.max), regionLength <= totalSize - offset else {
                throw fail(.badRegions("region \(index) of \(regionLength) bytes at offset \(offset) exceeds the segment of \(totalSize)"))
            }
            regions.append(SegmentRegion(offset: Int(offset), length: Int(regionLength)))
            end = offset + regionLength
        }
        return SegmentHeader(totalSize: Int(totalSize), owner: owner, regions: regions)
    }

    /// The magic word, accessed atomically (it publishes the rest of the header).
    static func magicWord(_ base: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (base + magicOffset).assumingMemoryBound(to: Atomic<UInt64>.self)
    }
}

/// Where one region lies inside a segment.
public struct SegmentRegion: Equatable, Sendable {
    /// Byte offset from the start of the segment (a multiple of the page size).
    public let offset: Int
    /// Length in bytes.
    public let length: Int
}
