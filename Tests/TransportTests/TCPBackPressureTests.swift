import Testing
@testable import Transport

extension TCPTests {
    @Suite("TCP carrier: back-pressure")
    struct BackPressure {
        @Test("a client that never reads: sends hit .wouldBlock, reading from it stops, memory stays bounded, and draining it resumes both")
        func clientNeverReads() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.outboundCapacity = 1 << 16
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            server.echo = false
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress, configuration: configuration)
            defer { client.close() }
            #expect(server.run { server.opened.count == 1 })
            let id = server.opened[0]
            let frame = testFrame(pattern(4090, seed: 3))

            // The server's output backs up: the client never reads.
            var accepted = 0
            var blocked = false
            _ = server.run(timeout: .seconds(20)) {
                for _ in 0..<64 {
                    if frame.withUnsafeBytes({ server.carrier.send($0, to: id) }) == .wouldBlock {
                        blocked = true
                        return true
                    }
                    accepted += frame.count + 3
                }
                return false
            }
            #expect(blocked)
            // The queue, the server's send buffer and the client's receive buffer: a few MiB.
            #expect(accepted < 32 << 20, "\(accepted) bytes accepted before .wouldBlock")

            // The client floods the server, which answers each frame (an echo it keeps
            // retrying while the queue is full). The answers cannot go out, so the carrier stops
            // reading: the client's sends back up too (back-pressure through TCP), with a
            // bounded number delivered.
            server.echo = true
            var clientSent = 0
            var clientBlocked = false
            _ = try server.run(timeout: .seconds(20)) {
                for _ in 0..<64 {
                    if try frame.withUnsafeBytes({ try client.send($0) }) == .wouldBlock {
                        clientBlocked = true
                        return true
                    }
                    clientSent += 1
                }
                return false
            }
            #expect(clientBlocked)
            let delivered = server.frames[id, default: []].count
            #expect(delivered < clientSent)
            #expect(clientSent * frame.count < 64 << 20, "\(clientSent) frames sent before .wouldBlock")
            _ = server.run(timeout: .milliseconds(200)) { false }
            #expect(server.frames[id, default: []].count == delivered, "the carrier kept reading")
            server.echo = false
            server.backlog.removeAll()

            // The client reads: the server's queue drains, the doorbell rings, sends go through,
            // and reading resumes.
            var drained = 0
            let resumed = try server.run(timeout: .seconds(20)) {
                drained += try client.receive(limit: 256) { _ in }
                return frame.withUnsafeBytes { server.carrier.send($0, to: id) } == .sent
            }
            #expect(resumed)
            #expect(drained > 0)
            #expect(server.run { server.frames[id, default: []].count > delivered })
        }
    }
}
