import Glibc
import Posix
import Testing
@testable import Transport

extension TCPTests {
    /// Each connection's share of the inbound ring (``TCPCarrierConfiguration/inboundShare``):
    /// a flooding peer holds at most its share, so another connection's frame never waits
    /// behind a whole ring of it.
    @Suite("TCP carrier: inbound share")
    struct Share {
        @Test("a connection's spans in the ring: what the consumer passed is forgotten, adjacent spans join, a ninth merges into the last")
        func spans() {
            var share = InboundShare()
            #expect(share.unconsumed(consumer: 0) == 0)
            share.note(from: 0, to: 100)
            share.note(from: 100, to: 150)  // adjacent: extends
            share.note(from: 300, to: 400)  // another connection posted 150..<300
            #expect(share.unconsumed(consumer: 0) == 250)
            #expect(share.unconsumed(consumer: 120) == 130)
            #expect(share.unconsumed(consumer: 200) == 100)
            // Where half of it (50 of 100) is left: 50 bytes into the span at 300.
            #expect(share.position(leaving: 50, consumer: 200) == 350)
            #expect(share.position(leaving: 100, consumer: 200) == 200)
            #expect(share.unconsumed(consumer: 400) == 0)

            // Eight spans apart from each other, then a ninth: it merges into the eighth,
            // counting the gap between them (never less than the connection holds).
            share.reset()
            for index in 0..<8 { share.note(from: Int64(index * 100), to: Int64(index * 100 + 10)) }
            #expect(share.unconsumed(consumer: 0) == 80)
            share.note(from: 1_000, to: 1_010)
            #expect(share.unconsumed(consumer: 0) == 80 + 310 - 10)
            #expect(share.unconsumed(consumer: 705) == 305)
            #expect(share.position(leaving: 0, consumer: 0) == 1_010)
            share.note(from: 0, to: 0)  // empty: nothing
            #expect(share.unconsumed(consumer: 1_010) == 0)
        }

        @Test("inboundShare outside 1...inboundCapacity is refused, naming the field")
        func validation() {
            var configuration = TCPCarrierConfiguration()
            configuration.inboundShare = 0
            #expect(throws: TransportError.self) { try configuration.validate() }
            configuration.inboundShare = configuration.inboundCapacity + 1
            do {
                try configuration.validate()
                Issue.record("validated")
            } catch {
                #expect("\(error)".contains("inboundShare"))
            }
            configuration.inboundShare = configuration.inboundCapacity
            #expect(throws: Never.self) { try configuration.validate() }
        }

        @Test("a flooding peer holds at most its share of the inbound ring while the writer does not consume; another connection's frame is next but for that share; every frame arrives in order")
        func floodKeepsToItsShare() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.inboundCapacity = 1 << 16  // 1,024 records of 64 bytes
            configuration.readBufferSize = 1 << 12
            configuration.inboundShare = 1 << 13  // 128 records
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            server.echo = false
            let flooder = try rawConnection(port: server.port)
            defer { TCPSocket.closeQuietly(flooder) }
            // 2,000 frames of 48 bytes (64-byte records), twice what the ring holds.
            let floodCount = 2_000
            let flood = (0..<floodCount).map { testFrame(pattern(42, seed: $0)) }
            try writeAll(flooder, Array(flood.map(Fairness.prefixed).joined()))
            // Nobody consumes: the peer's records stop at its share (plus one read's frames:
            // the share is checked before each read).
            let bound = configuration.inboundShare! + configuration.readBufferSize * 64 / 51 + 64
            // Until they pass half the share (the event loop has read them), then 300 ms more
            // in which they must stay within the bound; at most 10 s in all (busy cores).
            var held = 0
            let settling = ContinuousClock.now
            var halfway: ContinuousClock.Instant?
            while ContinuousClock.now - settling < .seconds(10) {
                held = max(held, server.carrier.inboundOccupiedBytes)
                if halfway == nil && held > configuration.inboundShare! / 2 { halfway = .now }
                if let halfway, ContinuousClock.now - halfway >= .milliseconds(300) { break }
                usleep(1_000)
            }
            #expect(held > configuration.inboundShare! / 2, "the peer's records: \(held) bytes")
            #expect(held <= bound, "the peer holds \(held) bytes of the ring, its share is \(configuration.inboundShare!)")

            // Another connection's frame goes in at once (its `.opened` record, 32 bytes, and
            // the frame's 64), behind what the peer holds: the writer has not consumed yet.
            let other = try rawConnection(port: server.port)
            defer { TCPSocket.closeQuietly(other) }
            let awaited = testFrame(pattern(41, seed: 1))  // one byte shorter than every flood frame, the same record length
            try writeAll(other, Fairness.prefixed(awaited))
            let sent = ContinuousClock.now
            while server.carrier.inboundOccupiedBytes < held + 96, ContinuousClock.now - sent < .seconds(3) { usleep(1_000) }
            #expect(server.carrier.inboundOccupiedBytes >= held + 96, "the other connection's frame did not get into the ring")

            // The writer consumes: the peer is read again as its share comes back, to the end.
            var floodBefore: Int?
            var received: [[UInt8]] = []
            let deadline = ContinuousClock.now + .seconds(20)
            while received.count < floodCount || floodBefore == nil, ContinuousClock.now < deadline {
                let events = server.carrier.poll(limit: 64) { event in
                    guard case .frame(_, let bytes) = event else { return }
                    if bytes.elementsEqual(awaited) { floodBefore = received.count } else { received.append(Array(bytes)) }
                }
                if events == 0 {
                    let ticket = server.bell.doorbell.prepareToSleep()
                    server.bell.doorbell.sleep(ticket, timeout: .milliseconds(1))
                }
            }
            #expect(floodBefore.map { $0 <= bound / 64 } == true, "the other connection's frame came behind \(floodBefore.map(String.init) ?? "all") of the peer's")
            let inOrder = received == flood
            #expect(inOrder, "\(received.count) of the peer's \(floodCount) frames arrived, in order: \(inOrder)")
        }
    }
}
