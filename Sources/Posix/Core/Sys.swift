import Glibc

/// The system calls of this package, one thin typed wrapper each: `EINTR` retried where POSIX
/// allows it, failures thrown as ``SystemCallError`` (the call's name and its ``Errno``), and
/// the ``FailureInjection`` seam in front of every one. Files `Sys+Area.swift` add calls by
/// area (files, memory, sockets, processes); each adds the ``SystemCall`` names it uses.
public enum Sys {}

extension SystemCall {
    /// The `open` call, by the name its failures carry.
    public static let open = SystemCall("open")
    /// The `close` call, by the name its failures carry.
    public static let close = SystemCall("close")
    /// The `read` call, by the name its failures carry.
    public static let read = SystemCall("read")
    /// The `write` call, by the name its failures carry.
    public static let write = SystemCall("write")
    /// The `pread` call, by the name its failures carry.
    public static let pread = SystemCall("pread")
    /// The `pwrite` call, by the name its failures carry.
    public static let pwrite = SystemCall("pwrite")
    /// The `fsync` call, by the name its failures carry.
    public static let fsync = SystemCall("fsync")
    /// The `fdatasync` call, by the name its failures carry.
    public static let fdatasync = SystemCall("fdatasync")
    /// The `ftruncate` call, by the name its failures carry.
    public static let ftruncate = SystemCall("ftruncate")
    /// The `fstat` call, by the name its failures carry.
    public static let fstat = SystemCall("fstat")
    /// The `fchmod` call, by the name its failures carry.
    public static let fchmod = SystemCall("fchmod")
    /// The `flock` call, by the name its failures carry.
    public static let flock = SystemCall("flock")
    /// The `lseek` call, by the name its failures carry.
    public static let lseek = SystemCall("lseek")
    /// The `rename` call, by the name its failures carry.
    public static let rename = SystemCall("rename")
    /// The `unlink` call, by the name its failures carry.
    public static let unlink = SystemCall("unlink")
    /// The `mkdir` call, by the name its failures carry.
    public static let mkdir = SystemCall("mkdir")
}

extension Sys {
    /// `open(2)`; `O_CLOEXEC` is always added.
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws(SystemCallError) -> Int32 {
        try SystemCall.open.run { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// `close(2)`, never retried (Linux releases the descriptor even when interrupted).
    public static func close(_ descriptor: Int32) throws(SystemCallError) {
        _ = try SystemCall.close.run(retryOnInterrupt: false) { Glibc.close(descriptor) }
    }

    /// `read(2)` into `buffer`: the byte count, 0 at end of file.
    public static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        try SystemCall.read.run { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
    }

    /// `write(2)` of `bytes`: the byte count written (possibly fewer than asked).
    public static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int {
        try SystemCall.write.run { Glibc.write(descriptor, bytes.baseAddress, bytes.count) }
    }

    /// `pread(2)` at `offset`.
    public static func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        try SystemCall.pread.run { Glibc.pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// `pwrite(2)` at `offset`.
    public static func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) -> Int {
        try SystemCall.pwrite.run { Glibc.pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offset)) }
    }

    /// Reads until `buffer` is full or end of file: the byte count.
    public static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Writes all of `bytes`, looping over short writes.
    public static func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
        var done = 0
        while done < bytes.count {
            done += try write(descriptor, UnsafeRawBufferPointer(rebasing: bytes[done...]))
        }
    }

    /// `fsync(2)`.
    public static func fsync(_ descriptor: Int32) throws(SystemCallError) {
        _ = try SystemCall.fsync.run { Glibc.fsync(descriptor) }
    }

    /// `fdatasync(2)`.
    public static func fdatasync(_ descriptor: Int32) throws(SystemCallError) {
        _ = try SystemCall.fdatasync.run { Glibc.fdatasync(descriptor) }
    }

    /// `ftruncate(2)`.
    public static func ftruncate(_ descriptor: Int32, _ length: Int) throws(SystemCallError) {
        _ = try SystemCall.ftruncate.run { Glibc.ftruncate(descriptor, off_t(length)) }
    }

    /// `fstat(2)`.
    public static func fstat(_ descriptor: Int32) throws(SystemCallError) -> stat {
        var info = stat()
        _ = try SystemCall.fstat.run { Glibc.fstat(descriptor, &info) }
        return info
    }

    /// `fchmod(2)`.
    public static func fchmod(_ descriptor: Int32, _ mode: mode_t) throws(SystemCallError) {
        _ = try SystemCall.fchmod.run { Glibc.fchmod(descriptor, mode) }
    }

    /// `flock(2)` (`LOCK_EX`, `LOCK_SH`, `LOCK_UN`, with `LOCK_NB` to fail with `EWOULDBLOCK`
    /// instead of waiting).
    public static func flock(_ descriptor: Int32, _ operation: Int32) throws(SystemCallError) {
        _ = try SystemCall.flock.run { systemFlock(descriptor, operation) }
    }

    /// `lseek(2)`: the new offset.
    public static func lseek(_ descriptor: Int32, _ offset: Int, _ whence: Int32) throws(SystemCallError) -> Int {
        Int(try SystemCall.lseek.run { Glibc.lseek(descriptor, off_t(offset), whence) })
    }

    /// `rename(2)`.
    public static func rename(_ from: String, to: String) throws(SystemCallError) {
        _ = try SystemCall.rename.run { Glibc.rename(from, to) }
    }

    /// `unlink(2)`.
    public static func unlink(_ path: String) throws(SystemCallError) {
        _ = try SystemCall.unlink.run { Glibc.unlink(path) }
    }

    /// `mkdir(2)`.
    public static func mkdir(_ path: String, _ mode: mode_t) throws(SystemCallError) {
        _ = try SystemCall.mkdir.run { Glibc.mkdir(path, mode) }
    }
}

/// `flock(2)` itself: inside `Sys` the name means the wrapper, and `Glibc.flock` the struct.
private func systemFlock(_ descriptor: Int32, _ operation: Int32) -> Int32 {
    flock(descriptor, operation)
}
