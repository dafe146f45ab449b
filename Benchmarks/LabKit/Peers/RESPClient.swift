import Glibc
import Posix

/// The lab's own RESP client: one blocking connection (every system call through `Sys`),
/// commands sent as they are given or pipelined as prepared bytes, replies parsed from a
/// buffer that grows only for a reply larger than it. Not `Sendable`: one thread at a time.
package final class RESPClient {
    private let descriptor: Int32
    private var buffer: [UInt8]
    /// Parsed replies end at `start`; read bytes end at `end`.
    private var start = 0
    private var end = 0

    /// A client over a connected stream socket it now owns (closed with the client).
    package init(descriptor: Int32, bufferSize: Int = 1 << 16) {
        self.descriptor = descriptor
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// Connects to `127.0.0.1:port` over TCP (`TCP_NODELAY`).
    package convenience init(loopbackPort port: UInt16) throws(SystemCallError) {
        let socket = try Sys.socket(AF_INET, Int32(SOCK_STREAM.rawValue))
        do throws(SystemCallError) {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            try withUnsafePointer(to: &address) { (pointer) throws(SystemCallError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (socketAddress) throws(SystemCallError) in
                    try Sys.connect(socket, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try Sys.setSocketOption(socket, level: Int32(IPPROTO_TCP), option: TCP_NODELAY, value: 1)
        } catch {
            try? Sys.close(socket)
            throw error
        }
        self.init(descriptor: socket)
    }

    deinit {
        try? Sys.close(descriptor)
    }

    /// Sends prepared command bytes (one command or a pipelined batch).
    package func send(_ bytes: UnsafeRawBufferPointer) throws {
        try Sys.writeFully(descriptor, bytes)
    }

    /// Sends one command made of `arguments`.
    package func send(_ arguments: [[UInt8]]) throws {
        try RESP.command(arguments).withUnsafeBytes { try send($0) }
    }

    /// Sends one command and returns its reply; a server error is thrown as ``RESPError/server(_:)``.
    @discardableResult
    package func call(_ arguments: String...) throws -> RESPValue {
        try send(arguments.map { Array($0.utf8) })
        let reply = try readReply()
        if case .error(let message) = reply { throw RESPError.server(message) }
        return reply
    }

    /// The next reply, reading from the socket as needed.
    package func readReply() throws -> RESPValue {
        while true {
            let parsed = try buffer.withUnsafeBytes { bytes in
                try RESP.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), from: 0)
            }
            if let (value, length) = parsed {
                start += length
                if start == end { (start, end) = (0, 0) }
                return value
            }
            try fill()
        }
    }

    /// Reads `count` replies, checking each with `check` (a server error is thrown): the
    /// pipelined batch's answers.
    package func readReplies(_ count: Int, _ check: (RESPValue) throws -> Void) throws {
        for _ in 0..<count {
            let reply = try readReply()
            if case .error(let message) = reply { throw RESPError.server(message) }
            try check(reply)
        }
    }

    /// Reads more bytes after the unparsed ones, moving them to the front first and
    /// doubling the buffer only when a single reply fills it.
    private func fill() throws {
        if start > 0 {
            let unparsed = end - start
            buffer.withUnsafeMutableBytes { bytes in
                bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + start, byteCount: unparsed)
            }
            (start, end) = (0, unparsed)
        }
        if end == buffer.count {
            guard buffer.count < Int(RESP.maxBulkLength) * 2 else { throw RESPError.tooLarge(field: "reply", value: Int64(end)) }
            buffer += [UInt8](repeating: 0, count: buffer.count)
        }
        let count = try buffer.withUnsafeMutableBytes { bytes in
            try Sys.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: bytes[end...]))
        }
        guard count > 0 else { throw RESPError.closed }
        end += count
    }
}
