import Glibc
import Posix

/// How far each producer of `ringside load` has got: one 8-byte count per producer in a
/// small file the parent creates (under /tmp, removed when the load ends), written by each
/// producer with `pwrite` every ``LoadProgress/interval`` events and read by the parent with
/// `pread`. A file rather than the producers' pipes, which carry their results once done.
struct LoadProgress {
    /// Events between two reports of a producer.
    static let interval = 4_096

    /// The file's path.
    let path: String
    private let descriptor: Int32

    /// Creates the file for `producers` producers (the parent).
    static func create(producers: Int) throws -> LoadProgress {
        let path = "/tmp/ringside-load-\(getpid()).progress"
        do throws(SystemCallError) {
            let descriptor = try Sys.open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            try Sys.ftruncate(descriptor, producers * 8)
            return LoadProgress(path: path, descriptor: descriptor)
        } catch {
            throw RuntimeError("cannot create the progress file \(path): \(error.errno.message)")
        }
    }

    /// Opens the parent's file (a producer).
    static func open(_ path: String) throws -> LoadProgress {
        do throws(SystemCallError) {
            return LoadProgress(path: path, descriptor: try Sys.open(path, O_WRONLY | O_CLOEXEC))
        } catch {
            throw RuntimeError("cannot open the progress file \(path): \(error.errno.message)")
        }
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Records that `producer` has sent `count` events (best effort: progress is a display).
    func report(producer: Int, count: Int) {
        var value = Int64(count)
        _ = withUnsafeBytes(of: &value) { try? Sys.pwrite(descriptor, $0, at: producer * 8) }
    }

    /// The events every producer has reported, summed.
    func total(producers: Int) -> Int {
        var values = [Int64](repeating: 0, count: producers)
        _ = values.withUnsafeMutableBytes { try? Sys.pread(descriptor, into: $0, at: 0) }
        return values.reduce(0) { $0 + Int($1) }
    }

    /// Closes the file and, for the parent, removes it.
    func close(removing: Bool) {
        try? Sys.close(descriptor)
        if removing { try? Sys.unlink(path) }
    }
}
