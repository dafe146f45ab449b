import Glibc
import Posix
import Testing
@testable import Transport

extension TCPTests {
    @Suite("TCP carrier: fairness")
    struct Fairness {
        /// `frame` behind its u24 length.
        static func prefixed(_ frame: [UInt8]) -> [UInt8] {
            [UInt8(frame.count >> 16), UInt8(frame.count >> 8 & 0xFF), UInt8(frame.count & 0xFF)] + frame
        }

        @Test("while one peer keeps the inbound ring full, another connection's frame gets the room first come, first served")
        func floodDoesNotStarveOthers() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.inboundCapacity = 4096  // 64 records of 64 bytes; input resumes at a quarter free
            configuration.readBufferSize = 256
            // One peer may fill the whole ring (the share is off): the room after a full ring
            // is what this test is about; many peers within their shares fill it as well.
            configuration.inboundShare = configuration.inboundCapacity
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            let flooder = try rawConnection(port: server.port)
            defer { TCPSocket.closeQuietly(flooder) }
            let flood = Self.prefixed(testFrame(pattern(42, seed: 1)))  // a 64-byte record in the ring
            func ringFull() -> Bool { server.carrier.inboundOccupiedBytes > configuration.inboundCapacity - 64 }
            // More than the ring holds while nobody consumes: the ring fills, the rest waits.
            try writeAll(flooder, Array(Array(repeating: flood, count: 100).joined()))
            let filling = ContinuousClock.now
            while !ringFull(), ContinuousClock.now - filling < .seconds(3) { usleep(1_000) }
            #expect(ringFull())
            let other = try rawConnection(port: server.port)
            defer { TCPSocket.closeQuietly(other) }
            let awaited = testFrame(pattern(42, seed: 99))
            try writeAll(other, Self.prefixed(awaited))
            usleep(20_000)

            // The writer consumes one record per step and the peer sends one frame per step,
            // then the step waits (briefly) for the I/O thread to use the room: room never adds
            // up to the quarter of the ring that input waits for unless the peer leaves it to
            // the connection that waited first.
            var arrived = false
            var floodFrames = 0
            let started = ContinuousClock.now
            while !arrived, floodFrames < 400, ContinuousClock.now - started < .seconds(3) {
                _ = server.carrier.poll(limit: 1) { event in
                    guard case .frame(_, let bytes) = event else { return }
                    if bytes.elementsEqual(awaited) { arrived = true } else { floodFrames += 1 }
                }
                try writeAll(flooder, flood)
                let stepped = ContinuousClock.now
                while !ringFull(), ContinuousClock.now - stepped < .milliseconds(10) { usleep(50) }
            }
            // First come, first served, it comes behind what the ring held (64 records) and a
            // pass or two of the peer's frames (79 in all, measured); were the room taken in
            // its stead, it would wait for as long as the peer sends.
            #expect(arrived, "the other connection's frame waited \(ContinuousClock.now - started) behind \(floodFrames) of the peer's")
            #expect(floodFrames < 256, "the other connection's frame came behind \(floodFrames) of the peer's")
        }
    }
}
