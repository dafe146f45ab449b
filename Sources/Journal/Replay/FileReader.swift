import Glibc
import Posix

/// Reads a file through a window of bytes it keeps in a reusable buffer: `bytes(at:count:)`
/// serves a range from the window, or refills the window from that offset (`pread`).
struct FileReader: ~Copyable {
    /// The file's path, for errors.
    let path: String
    /// The file's length when opened.
    let size: Int
    private let descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var windowStart = 0
    private var windowCount = 0

    /// Opens `path` read-only.
    init(path: String, windowSize: Int = 1 << 20) throws(JournalError) {
        let (descriptor, size) = try Self.openForReading(path)
        self.path = path
        self.descriptor = descriptor
        self.size = size
        buffer = .allocate(byteCount: windowSize, alignment: 16)
    }

    /// The descriptor and length of `path`, opened read-only.
    private static func openForReading(_ path: String) throws(JournalError) -> (Int32, Int) {
        let descriptor: Int32
        do {
            descriptor = try Sys.open(path, O_RDONLY)
        } catch {
            throw .systemCall(file: path, offset: nil, error)
        }
        do {
            return (descriptor, Int(try Sys.fstat(descriptor).st_size))
        } catch {
            try? Sys.close(descriptor)
            throw .systemCall(file: path, offset: nil, error)
        }
    }

    deinit {
        buffer.deallocate()
        try? Sys.close(descriptor)
    }

    /// The `count` bytes at `offset`, valid until the next call; nil when they run past the
    /// end of the file.
    mutating func bytes(at offset: Int, count: Int) throws(JournalError) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, count <= size, offset <= size - count else { return nil }
        if offset < windowStart || offset + count > windowStart + windowCount {
            try refill(from: offset, atLeast: count)
        }
        let start = offset - windowStart
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start..<start + count])
    }

    /// Fills the window from `offset`: `count` bytes at least (the buffer doubles if needed),
    /// as many as the buffer holds and the file has.
    private mutating func refill(from offset: Int, atLeast count: Int) throws(JournalError) {
        if count > buffer.count {
            buffer.deallocate()
            var capacity = buffer.count
            while capacity < count { capacity *= 2 }
            buffer = .allocate(byteCount: capacity, alignment: 16)
        }
        let wanted = min(buffer.count, size - offset)
        var filled = 0
        while filled < wanted {
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<wanted])
            let got: Int
            do {
                got = try Sys.pread(descriptor, into: target, at: offset + filled)
            } catch {
                windowCount = 0
                throw .systemCall(file: path, offset: offset + filled, error)
            }
            if got == 0 { break }
            filled += got
        }
        windowStart = offset
        windowCount = filled
        guard filled >= count else {
            // The file shrank under us: nobody else may write a locked journal.
            throw .systemCall(file: path, offset: offset + filled, SystemCallError(.pread, .ioError))
        }
    }
}
