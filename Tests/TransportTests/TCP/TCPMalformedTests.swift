import Glibc
import Posix
import Testing
@testable import Transport

extension TCPTests {
    @Suite("TCP carrier: malformed streams")
    struct Malformed {
        /// A server with a 1 KiB inbound limit, a working client beside the bad peer, and the
        /// raw socket the bad peer writes `bytes` through. Returns the reason the carrier gave.
        func malformedReason(after bytes: [UInt8], framesFirst: Int = 0) throws -> String? {
            var configuration = TCPCarrierConfiguration()
            configuration.maxInboundFrameLength = 1024
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            let good = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { good.close() }
            var bad = try rawConnection(port: server.port)
            defer { if bad >= 0 { _ = try? Sys.close(bad) } }
            #expect(server.run { server.opened.count == 2 })
            let badID = try #require(server.opened.first { server.peers[$0] != good.localAddress.description })
            try writeAll(bad, bytes)
            #expect(server.run { server.malformed[badID] != nil })
            #expect(server.frames[badID, default: []].count == framesFirst)

            // Nobody else notices: the good client still echoes.
            let frame = testFrame(pattern(40, seed: 1))
            _ = try frame.withUnsafeBytes { try good.send($0) }
            #expect(try receive(1, from: good, server: server) == [frame])
            #expect(server.malformed.count == 1)

            // The session's answer: an ERROR frame, then close. The peer reads it, then the end.
            let error = testFrame(Array("bad length".utf8))
            #expect(error.withUnsafeBytes { server.carrier.send($0, to: badID) } == .sent)
            server.carrier.close(badID)
            #expect(server.carrier.send(UnsafeRawBufferPointer(start: nil, count: 0), to: badID) == .closed)
            var received: [UInt8] = []
            var sawEnd = false
            _ = try server.run {
                var chunk = [UInt8](repeating: 0, count: 4096)
                guard bad >= 0 else { return server.closed[badID] != nil }
                do {
                    let count = try chunk.withUnsafeMutableBytes { try Sys.read(bad, into: $0) }
                    if count == 0 {
                        // The peer's part of a clean close, which the carrier waits for.
                        sawEnd = true
                        try Sys.close(bad)
                        bad = -1
                    } else {
                        received += chunk.prefix(count)
                    }
                } catch let failure as SystemCallError where failure.errno == .wouldBlock {
                }
                return sawEnd && server.closed[badID] != nil
            }
            // The echoes of the good frames before the bad bytes, then the ERROR.
            let echoes = server.frames[badID, default: []].flatMap { (frame: [UInt8]) -> [UInt8] in [0, 0, UInt8(frame.count)] + frame }
            #expect(received == echoes + [0, 0, UInt8(error.count)] + error)
            #expect(sawEnd)
            #expect(server.closed[badID] == .closedLocally)
            return server.malformed[badID]
        }

        @Test("a length beyond the limit is malformed")
        func oversized() throws {
            let reason = try malformedReason(after: [0x00, 0x10, 0x00] + [UInt8](repeating: 0, count: 10))
            #expect(reason == "frame length 4096 beyond the limit of 1024 bytes")
        }

        @Test("a length below the 6-byte header is malformed")
        func undersized() throws {
            let reason = try malformedReason(after: [0, 0, 3, 1, 2, 3])
            #expect(reason == "frame length 3 below the 6-byte frame header")
        }

        @Test("garbage is malformed, after the good frames before it are delivered")
        func garbage() throws {
            let good = testFrame([1, 2, 3])
            let bytes = [0, 0, UInt8(good.count)] + good + [0xFF, 0xFE, 0x41, 0x42, 0x43, 0x44, 0x45]
            let reason = try malformedReason(after: bytes, framesFirst: 1)
            #expect(reason == "frame length \(0xFF_FE41) beyond the limit of 1024 bytes")
        }

        @Test("half a frame and then silence delivers nothing and holds at most the limit")
        func halfFrame() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.maxInboundFrameLength = 200_000
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            let bad = try rawConnection(port: server.port)
            defer { _ = try? Sys.close(bad) }
            try writeAll(bad, [0x02, 0x00, 0x00] + [UInt8](repeating: 7, count: 100_000))  // 131,072 announced
            _ = server.run(timeout: .milliseconds(300)) { false }
            #expect(server.opened.count == 1)
            #expect(server.frames.isEmpty && server.malformed.isEmpty && server.closed.isEmpty)
            try writeAll(bad, [UInt8](repeating: 7, count: 131_072 - 100_000))
            #expect(server.run { server.frames[server.opened[0]]?.count == 1 })
            #expect(server.frames[server.opened[0]]?.first?.count == 131_072)
        }
    }
}
