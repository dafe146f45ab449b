import CLabLimits

/// `limit-tcp-pingpong`: two processes pinned as `tcp-pingpong-32B` (pinger on CPU 0, ponger
/// on CPU 1) bounce 32 bytes over a loopback TCP connection with TCP_NODELAY, both polling
/// their socket (MSG_DONTWAIT) as the carrier's peers spin, the pinger stamping
/// CLOCK_MONOTONIC around each round trip (the loop of `../shared/limits/sock_bench.c -m
/// pingpong -f tcp`, which blocks instead, in `CLabLimits`): what the kernel's
/// loopback costs without any carrier, the bound of the TCP carrier's round trips and, beside
/// `limit-pingpong`, of how far shared memory can beat TCP at all on this machine.
enum TCPPingPongLimit {
    static let caseName = "limit-tcp-pingpong"
    static let pingRole = "limit-tcp-ping"
    static let pongRole = "limit-tcp-pong"

    /// One run: `warmUp` untimed round trips of `payload` bytes, then `timed` ones; records
    /// the histogram's figures (`rtt_p50_ns` ...) and returns the p50.
    static func measure(payload: Int, warmUp: Int, timed: Int, _ context: inout SuiteContext) throws -> Double {
        try RoundTripLimit.measure(
            caseName, pong: (pongRole, [String(payload), String(warmUp + timed)]),
            ping: (pingRole, [String(payload), String(warmUp), String(timed)]), timed: timed, &context)
    }

    /// Peer role: `NAME CPU PAYLOAD WARMUP TIMED` connects to the ponger's port and pings.
    @Sendable
    static func pingPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let payload = try TransportHarness.integer(arguments, 0)
            let warmUp = try TransportHarness.integer(arguments, 1)
            let timed = try TransportHarness.integer(arguments, 2)
            try control.storeRoundTrips(timed: timed) { latencies in
                control.arriveAndWait()
                let fd = lab_tcp_connect(Int32(try control.awaitTCPServer().port))
                guard fd >= 0 else { throw LabError("\(caseName): cannot connect to the ponger") }
                defer { lab_tcp_close(fd) }
                guard lab_tcp_ping(fd, UInt32(payload), UInt64(warmUp), UInt64(timed), latencies) == 0 else {
                    throw LabError("\(caseName): a round trip failed (the ponger hung up or 5 s passed)")
                }
            }
        }
    }

    /// Peer role: `NAME CPU PAYLOAD ROUNDS` listens on a free loopback port (published in the
    /// control block), accepts the pinger and echoes ROUNDS pings.
    @Sendable
    static func pongPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let payload = try TransportHarness.integer(arguments, 0)
            let rounds = try TransportHarness.integer(arguments, 1)
            var port: Int32 = 0
            let listener = lab_tcp_listen(&port)
            guard listener >= 0 else { throw LabError("\(caseName): cannot listen on loopback") }
            control.serverPort.pointee.store(Int64(port), ordering: .releasing)
            control.arriveAndWait()
            let fd = lab_tcp_accept(listener)
            guard fd >= 0 else { throw LabError("\(caseName): the pinger did not connect within 10 s") }
            defer { lab_tcp_close(fd) }
            guard lab_tcp_pong(fd, UInt32(payload), UInt64(rounds)) == 0 else {
                throw LabError("\(caseName): an echo failed (the pinger hung up or 5 s passed)")
            }
        }
    }
}

extension Limit {
    /// `limit-tcp-pingpong` (round trips of `payload` bytes over loopback TCP), held against
    /// TCP round-trip p50s, for a case that times `timed` round trips after `warmUp`. The
    /// limit does a quarter of each (at least 1,000 timed).
    static func tcpPingPong(payload: Int, warmUp: Int, timed: Int) -> Limit {
        Limit(caseName: TCPPingPongLimit.caseName, kind: .latency) { context in
            try TCPPingPongLimit.measure(payload: payload, warmUp: warmUp / 4, timed: max(1_000, timed / 4), &context)
        }
    }
}
