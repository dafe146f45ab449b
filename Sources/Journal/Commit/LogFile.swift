import Glibc
import Posix

/// The log file records are appended to: its descriptor (positioned at `offset`, the end of
/// its valid records), path and generation.
struct LogFile {
    /// Open read-write, positioned at `offset`.
    var descriptor: Int32
    /// The file's path.
    var path: String
    /// Its generation.
    var generation: UInt64
    /// Its length: where the next batch goes.
    var offset: Int

    /// Record bytes in the file (its length without the header).
    var recordBytes: Int { offset - FileHeader.length }

    /// Makes the log of `generation` whose first record will be `base` in `directory`: written
    /// as `log-G.tmp` with its header, synced, renamed into place, and the directory synced, so
    /// a log file is never seen without its header.
    static func create(directory: String, generation: UInt64, base: UInt64) throws(JournalError) -> LogFile {
        let temporary = directory + "/" + JournalFileName.temporaryLog(generation)
        let path = directory + "/" + JournalFileName.log(generation)
        let descriptor: Int32
        do {
            descriptor = try Sys.open(temporary, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        } catch {
            throw .systemCall(file: temporary, offset: nil, error)
        }
        var renamed = false
        do throws(JournalError) {
            var header = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            try withUnsafeMutableBytes(of: &header) { bytes throws(JournalError) in
                FileHeader(kind: .log, generation: generation, sequence: base).store(into: bytes)
                do throws(SystemCallError) {
                    try Sys.writeFully(descriptor, UnsafeRawBufferPointer(bytes))
                } catch {
                    throw .systemCall(file: temporary, offset: 0, error)
                }
            }
            do { try Sys.fsync(descriptor) } catch { throw .systemCall(file: temporary, offset: nil, error) }
            do { try Sys.rename(temporary, to: path) } catch { throw .systemCall(file: temporary, offset: nil, error) }
            renamed = true
            do { try Sys.fsyncDirectory(directory) } catch { throw .systemCall(file: directory, offset: nil, error) }
        } catch {
            // Nothing of the new log may stay: a later open would expect its base to follow
            // the records the old log goes on receiving.
            try? Sys.close(descriptor)
            try? Sys.unlink(renamed ? path : temporary)
            throw error
        }
        return LogFile(descriptor: descriptor, path: path, generation: generation, offset: FileHeader.length)
    }

    /// Opens the existing log `path` for appending after its valid records, which end at
    /// `validLength`: a longer file (a torn tail) is truncated there; either way the file is
    /// synced, so what replay handed over is durable.
    static func reopen(path: String, generation: UInt64, validLength: Int) throws(JournalError) -> LogFile {
        let descriptor: Int32
        do {
            descriptor = try Sys.open(path, O_RDWR)
        } catch {
            throw .systemCall(file: path, offset: nil, error)
        }
        do {
            if try Sys.fstat(descriptor).st_size != validLength {
                try Sys.ftruncate(descriptor, validLength)
            }
            try Sys.fsync(descriptor)
            _ = try Sys.lseek(descriptor, validLength, SEEK_SET)
        } catch {
            try? Sys.close(descriptor)
            throw .systemCall(file: path, offset: validLength, error)
        }
        return LogFile(descriptor: descriptor, path: path, generation: generation, offset: validLength)
    }
}
