import Glibc
import Posix

/// How far each producer of `ringside load` has got: one 8-byte count per producer in a
/// small file the parent creates (under /tmp, removed when the load ends), written by each
/// producer with `pwrite` every ``LoadProgress/interval`` events and read by the parent with
/// `pread`. Each producer leaves its report in a file of its own beside it.
struct LoadProgress {
    /// Events between two reports of a producer.
    static let interval = 4_096

    /// The file's path.
    let path: String
    private let descriptor: Int32
    /// The producers whose report files the parent removes at the end (0 in a producer).
    private let producers: Int

    /// Creates the file for `producers` producers (the parent).
    static func create(producers: Int) throws -> LoadProgress {
        let path = "/tmp/ringside-load-\(getpid()).progress"
        do throws(SystemCallError) {
            let descriptor = try Sys.open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            try Sys.ftruncate(descriptor, producers * 8)
            return LoadProgress(path: path, descriptor: descriptor, producers: producers)
        } catch {
            throw RuntimeError("cannot create the progress file \(path): \(error.errno.message)")
        }
    }

    /// Opens the parent's file (a producer).
    static func open(_ path: String) throws -> LoadProgress {
        do throws(SystemCallError) {
            return LoadProgress(path: path, descriptor: try Sys.open(path, O_WRONLY | O_CLOEXEC), producers: 0)
        } catch {
            throw RuntimeError("cannot open the progress file \(path): \(error.errno.message)")
        }
    }

    private init(path: String, descriptor: Int32, producers: Int) {
        self.path = path
        self.descriptor = descriptor
        self.producers = producers
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

    /// Where producer `producer` leaves its report (a file next to this one: a report with
    /// every latency outgrows a pipe's buffer, and the parent reads it once the producer is done).
    func reportPath(producer: Int) -> String { "\(path).\(producer)" }

    /// Writes `text` as producer `producer`'s report.
    func writeReport(_ text: String, producer: Int) throws {
        let path = reportPath(producer: producer)
        do throws(SystemCallError) {
            let descriptor = try Sys.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            defer { try? Sys.close(descriptor) }
            try Array(text.utf8).withUnsafeBytes { bytes in
                Result { () throws(SystemCallError) in try Sys.writeFully(descriptor, bytes) }
            }.get()
        } catch {
            throw RuntimeError("cannot write the report \(path): \(error.errno.message)")
        }
    }

    /// Producer `producer`'s report (empty when it left none), and removes its file.
    func takeReport(producer: Int) -> String {
        let path = reportPath(producer: producer)
        defer { try? Sys.unlink(path) }
        guard let descriptor = try? Sys.open(path, O_RDONLY | O_CLOEXEC) else { return "" }
        defer { try? Sys.close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while let count = chunk.withUnsafeMutableBytes({ try? Sys.read(descriptor, into: $0) }), count > 0 {
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Closes the file and, for the parent, removes it and every report file still there
    /// (those of producers that failed or were stopped).
    func close(removing: Bool) {
        try? Sys.close(descriptor)
        guard removing else { return }
        try? Sys.unlink(path)
        for producer in 0 ..< producers { try? Sys.unlink(reportPath(producer: producer)) }
    }
}
