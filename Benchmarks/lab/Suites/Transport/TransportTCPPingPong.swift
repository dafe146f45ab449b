import Harness
import LabKit
import Transport

/// The ping-pong case of the `transport` suite over the TCP carrier on loopback, the twin
/// of `shm-pingpong-32B` with the same payload and placement: the pinger (CPU 0)
/// stamps CLOCK_MONOTONIC, sends a 32-byte frame carrying its round number through a
/// ``TCPClientCarrier`` (written at once), spins on `receive` until the echo is back, and
/// stamps again; the server process (CPU 1) echoes every frame from its poll handler and
/// flushes after each poll, sleeping on its doorbell when idle. A tenth of the round trips go
/// first as a warm-up and are not timed. A loopback round trip costs about 100 times the shm
/// one, so the case times a tenth of the shm twin's round trips (100,000: still 100 samples
/// beyond p99.9), which keeps the whole lab on defaults within its 5 minutes.
enum TransportTCPPingPong {
    static let caseName = "tcp-pingpong-32B"
    static let payload = 32
    static let roundTrips = 100_000
    static let pingRole = "transport-tcp-ping"
    static let pongRole = "transport-tcp-pong"

    /// Runs the case, recording round-trip percentiles and heap allocations per message.
    static func measure(_ context: inout SuiteContext) throws {
        guard context.selects(caseName) else { return }
        let timed = context.scaled(roundTrips, minimum: 1000)
        let warmup = timed / 10
        for _ in context.repetitions(caseName, detail: "\(timed) round trips") {
            try context.measure(caseName, against: .tcpPingPong(payload: payload, warmUp: warmup, timed: timed)) { context in
                try TransportPingPong.roundTrips(
                    caseName, pingRole: pingRole, pongRole: pongRole, ringCapacities: [], warmup: warmup, timed: timed, &context)
            }
        }
    }

    /// Peer role: `NAME CPU WARMUP TIMED` pings, records the round-trip histogram.
    @Sendable
    static func pingPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let warmup = try TransportHarness.integer(arguments, 0)
            let timed = try TransportHarness.integer(arguments, 1)
            let client = try TCPClientCarrier(connectingTo: try control.awaitTCPServer())
            defer { client.close() }
            try control.ping(payload: payload, warmup: warmup, timed: timed) { bytes in
                while try client.send(bytes) == .wouldBlock {}
            } receive: { check in
                while try client.receive(limit: 1, check) == 0 {}
            }
        }
    }

    /// Peer role: `NAME CPU ROUNDS` listens on a free loopback port (published in the
    /// control block), echoes ROUNDS frames, and stays until the pinger hangs up.
    @Sendable
    static func pongPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let rounds = try TransportHarness.integer(arguments, 0)
            let server = try TransportTCPServer()
            defer { server.carrier.shutdown() }
            control.serverPort.pointee.store(Int64(server.carrier.boundAddress.port), ordering: .releasing)
            var echoed = 0
            var refused = 0
            control.arriveAndWait()
            try control.countingAllocations {
                while echoed < rounds {
                    server.poll { event in
                        guard case .frame(let id, let message) = event else { return }
                        if server.carrier.send(message, to: id) == .sent { echoed &+= 1 } else { refused &+= 1 }
                    }
                    if refused > 0 { throw LabError("\(caseName): an echo was refused") }
                }
            }
            // The last echo may still be queued: stay until the pinger has it and hangs up.
            var hungUp = false
            let deadline = ContinuousClock.now + .seconds(10)
            while !hungUp, ContinuousClock.now < deadline {
                server.poll { event in if case .closed = event { hungUp = true } }
            }
        }
    }
}
