import Testing
@testable import Transport

extension TCPTests {
    @Suite("TCP carrier: echo")
    struct Echo {
        @Test("port 0 binds a free port and frames of every size echo back in order over IPv4")
        func echoIPv4() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.outboundCapacity = 1 << 22  // room for the 1 MiB frame
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            #expect(server.port != 0)
            #expect(server.carrier.boundAddress.description == "127.0.0.1:\(server.port)")
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress, configuration: configuration)
            defer { client.close() }
            // Sizes around the read buffer (64 KiB), past it, and past the ring's largest
            // record (256 KiB), so all three inbound paths carry a frame.
            let sizes = [0, 1, 26, 1000, 65_530, 65_536, 100_000, 1 << 20, 7]
            let sent = sizes.enumerated().map { testFrame(pattern($0.element, seed: $0.offset)) }
            for frame in sent {
                let outcome = try frame.withUnsafeBytes { try client.send($0) }
                #expect(outcome == .sent)
            }
            let received = try receive(sent.count, from: client, server: server)
            #expect(received == sent)
            #expect(server.opened.count == 1)
            #expect(server.peers[server.opened[0]] == client.localAddress.description)
            #expect(server.frames[server.opened[0]] == sent)
        }

        @Test("IPv6 loopback works end to end")
        func echoIPv6() throws {
            let server = try TCPTestServer("[::1]:0")
            defer { server.carrier.shutdown() }
            #expect(server.carrier.boundAddress.family == .ipv6)
            #expect(server.carrier.boundAddress.description == "[::1]:\(server.port)")
            let client = try TCPClientCarrier(connectingTo: TCPAddress(parsing: "[::1]:\(server.port)"))
            defer { client.close() }
            let frame = testFrame(pattern(100, seed: 6))
            _ = try frame.withUnsafeBytes { try client.send($0) }
            #expect(try receive(1, from: client, server: server) == [frame])
            #expect(server.peers.values.first?.hasPrefix("[::1]:") == true)
        }

        @Test("1,000 connections at once, each gets its own frames back")
        func thousandConnections() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            var small = TCPCarrierConfiguration()
            small.outboundCapacity = 4096
            small.readBufferSize = 1024
            var clients: [TCPClientCarrier] = []
            for _ in 0..<1000 {
                clients.append(try TCPClientCarrier(connectingTo: server.carrier.boundAddress, configuration: small))
                server.step(sleep: .zero)
            }
            defer { clients.forEach { $0.close() } }
            let frames = (0..<clients.count).map { testFrame(Array("client \($0)".utf8)) }
            for (client, frame) in zip(clients, frames) {
                #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent)
            }
            var replies = [[UInt8]?](repeating: nil, count: clients.count)
            let done = try server.run(timeout: .seconds(60)) {
                for (index, client) in clients.enumerated() where replies[index] == nil {
                    _ = try client.receive(limit: 1) { replies[index] = Array($0) }
                }
                return !replies.contains(nil)
            }
            #expect(done)
            #expect(server.opened.count == 1000)
            #expect(Set(server.opened).count == 1000)
            #expect(replies.map { $0 ?? [] } == frames)
        }

        @Test("a client's batched sends go out in one flush and keep their order")
        func batched() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { client.close() }
            client.autoFlush = false
            let sent = (0..<500).map { testFrame(pattern(32, seed: $0)) }
            for frame in sent { #expect(try frame.withUnsafeBytes { try client.send($0) } == .sent) }
            try client.flush()
            #expect(try receive(sent.count, from: client, server: server) == sent)
        }
    }
}
