import Glibc
import Posix

extension SharedMemorySegment {
    /// The name that anonymous segments report (they have none under `/dev/shm`).
    public static let anonymousName = "(anonymous)"

    /// A segment in memory private to this process (a shared mapping of `/dev/zero`, so no
    /// name under `/dev/shm` and nothing to unlink), laid out exactly like a named segment:
    /// rings carved from it hand records between threads of one process (the TCP carrier's
    /// I/O thread and the server's single writer). Its pages are populated up front.
    public static func anonymous(regionSizes: [Int]) throws(SegmentError) -> SharedMemorySegment {
        let name = anonymousName
        let owner = try system(.identify, name: name) { () throws(SystemCallError) in try ProcessIdentity.readCurrent() }
        let header = try SegmentHeader.layout(regionSizes: regionSizes, owner: owner, name: name)
        let descriptor = try system(.open, name: name) { () throws(SystemCallError) in try Sys.open("/dev/zero", O_RDWR) }
        do throws(SegmentError) {
            let mapping = try SegmentMapping(descriptor: descriptor, size: header.totalSize, name: name)
            header.write(to: mapping.base)
            return SharedMemorySegment(name: name, header: header, mapping: mapping, descriptor: descriptor)
        } catch {
            try? Sys.close(descriptor)
            throw error
        }
    }
}
