import Frames
import Glibc
import Posix
import Testing
@testable import Transport

/// What only TCP can be sent: byte streams no carrier would frame. The session answers each
/// with a connection ERROR where one can still be sent, and closes; nobody else notices.
@Suite(.serialized) struct MatrixTCPTests {
    /// Reads a raw socket until the peer closes it (or `timeout`), then splits the bytes into
    /// frames.
    func framesUntilClosed(_ descriptor: Int32, timeout: Duration = .seconds(5)) throws -> [[UInt8]] {
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 4096)
        reading: while ContinuousClock.now < deadline {
            do {
                let count = try chunk.withUnsafeMutableBytes { try Sys.read(descriptor, into: $0) }
                if count == 0 { break reading }
                bytes += chunk.prefix(count)
            } catch let error as SystemCallError where error.errno == .wouldBlock {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = try Sys.poll(&entry, count: 1, timeoutMilliseconds: 50)
            } catch let error as SystemCallError where error.errno == .connectionReset {
                break reading
            }
        }
        var frames: [[UInt8]] = []
        try bytes.withUnsafeBytes { raw in
            var rest = raw[...]
            while let (frame, consumed) = try LengthPrefix.nextFrame(in: UnsafeRawBufferPointer(rebasing: rest)) {
                frames.append(Array(frame))
                rest = rest.dropFirst(consumed)
            }
        }
        return frames
    }

    @Test("a length below a header, a length beyond the limit, garbage: CONNECTION_ERROR and closed; half a frame then silence: closed at the SETUP deadline")
    func malformedStreams() throws {
        let server = try MatrixServer(
            .tcp, maxFrameLength: 64 << 10,
            configuration: ServerConfiguration(session: SessionConfiguration(setupTimeout: .milliseconds(300))))
        defer { server.stop() }
        let healthy = try server.connect()
        defer { healthy.close() }
        let setup = Wire.setup()
        let prefixedSetup = [UInt8(setup.count >> 16), UInt8(setup.count >> 8 & 0xFF), UInt8(setup.count & 0xFF)] + setup
        let streams: [(bytes: [UInt8], code: ErrorCode)] = [
            (prefixedSetup + [0, 0, 2, 9, 9], .connectionError),                 // a length below the header
            (prefixedSetup + [0x10, 0, 0] + [UInt8](repeating: 1, count: 64), .connectionError), // 1 MiB > the 64 KiB limit
            (prefixedSetup + [0, 0, 8] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], .connectionError), // garbage
            ([0, 0, 40, 0, 0], .invalidSetup),                                   // half a frame, then silence
        ]
        guard case .tcp(let port) = server.address else { Issue.record("not a TCP server"); return }
        for (bytes, code) in streams {
            let socket = try rawConnection(port: port)
            defer { _ = try? Sys.close(socket) }
            try writeAll(socket, bytes)
            let frames = try framesUntilClosed(socket)
            #expect(frames.map { describe($0).code } == [code], "\(bytes.suffix(8))")
            let answer = try Array("still".utf8).withUnsafeBytes { bytes in try healthy.requestResponse(data: bytes) { Array($0.unsafeData) } }
            #expect(answer == Array("still".utf8))
        }
    }
}
