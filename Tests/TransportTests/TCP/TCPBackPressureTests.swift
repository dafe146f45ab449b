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
            // bounded number delivered. The client counts as blocked once its sends have failed
            // for 300 ms while the server kept consuming: a pause for the client's share of the
            // inbound ring ends as the server consumes, one for the server's output does not.
            server.echo = true
            var clientSent = 0
            var blockedSince: ContinuousClock.Instant?
            let clientBlocked = try server.run(timeout: .seconds(20)) {
                for _ in 0..<64 {
                    if try frame.withUnsafeBytes({ try client.send($0) }) == .wouldBlock {
                        let since = blockedSince ?? .now
                        blockedSince = since
                        return ContinuousClock.now - since >= .milliseconds(300)
                    }
                    blockedSince = nil
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
    
        @Test("a full inbound ring pauses reading until the writer catches up; nothing is lost or reordered")
        func inboundRingFull() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.inboundCapacity = 4096  // 85 records of 48 bytes
            configuration.readBufferSize = 256
            configuration.inboundShare = configuration.inboundCapacity  // each may fill the ring
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            server.echo = false
            let clients = try (0..<3).map { _ in try TCPClientCarrier(connectingTo: server.carrier.boundAddress) }
            defer { clients.forEach { $0.close() } }
            let perClient = 3000
            for client in clients {
                client.autoFlush = false
                for index in 0..<perClient {
                    let frame = testFrame(pattern(26, seed: index))
                    while try frame.withUnsafeBytes({ try client.send($0) }) == .wouldBlock {
                        try client.flush()
                        server.step(sleep: .zero)
                    }
                }
                try client.flush()
            }
            // A slow writer: a few events per poll, so the I/O thread keeps finding the ring full.
            let deadline = ContinuousClock.now + .seconds(20)
            var total: Int { server.frames.values.reduce(0) { $0 + $1.count } }
            while total < perClient * clients.count, ContinuousClock.now < deadline {
                for client in clients where client.hasQueuedOutput { try client.flush() }
                let before = total
                _ = server.carrier.poll(limit: 7) { event in
                    if case .frame(let id, let bytes) = event { server.frames[id, default: []].append(Array(bytes)) }
                }
                if total == before { server.step(sleep: .microseconds(200)) }
            }
            #expect(total == perClient * clients.count)
            for frames in server.frames.values {
                #expect(frames == (0..<perClient).map { testFrame(pattern(26, seed: $0)) })
            }
        }
    
        @Test("long frames from many peers share one budget: what is held stays within it, nothing is lost, all is given back")
        func largeFrameBudget() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.maxLargeFrameBytes = 300_000  // room for one 200 KB frame at a time
            configuration.outboundCapacity = 1 << 20
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            server.echo = false
            let clients = try (0..<4).map { _ in try TCPClientCarrier(connectingTo: server.carrier.boundAddress, configuration: configuration) }
            defer { clients.forEach { $0.close() } }
            let frames = (0..<clients.count).map { testFrame(pattern(200_000, seed: $0)) }
            for (client, frame) in zip(clients, frames) {
                #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent)
            }
            var most = 0
            let done = try server.run {
                for client in clients where client.hasQueuedOutput { try client.flush() }
                most = max(most, server.carrier.largeFrameBytes)
                return server.frames.values.reduce(0) { $0 + $1.count } == clients.count
            }
            #expect(done)
            #expect(most <= 300_000, "\(most) bytes held in long frames")
            #expect(Set(server.frames.values.map { $0[0] }) == Set(frames))
            #expect(server.carrier.largeFrameBytes == 0)
        }
    }
}
