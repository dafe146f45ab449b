extension Suite {
    /// Shared-memory rings between pinned processes: throughput by payload size and
    /// producer count, and round-trip latency (targets: the C references in
    /// `../shared/limits`, `spsc_ring.c` and `pingpong_shm.c -C`), and their twins over the
    /// TCP carrier on loopback (`tcp-32B`, `tcp-4096B`, `tcp-pingpong-32B`; C reference
    /// `sock_bench.c`).
    static let transport = Suite(
        name: "transport",
        summary: "shm rings between pinned processes: SPSC/MPSC throughput by payload size, 32-byte ping-pong round trips; their TCP twins over the TCP carrier on loopback; RSocket sessions over shm and TCP",
        peers: [
            TransportThroughput.producerRole: TransportThroughput.producerPeer,
            TransportThroughput.consumerRole: TransportThroughput.consumerPeer,
            TransportPingPong.pingRole: TransportPingPong.pingPeer,
            TransportPingPong.pongRole: TransportPingPong.pongPeer,
            TransportTCPThroughput.clientRole: TransportTCPThroughput.clientPeer,
            TransportTCPThroughput.serverRole: TransportTCPThroughput.serverPeer,
            TransportTCPPingPong.pingRole: TransportTCPPingPong.pingPeer,
            TransportTCPPingPong.pongRole: TransportTCPPingPong.pongPeer,
            RSocketCase.serverRole: RSocketCase.serverPeer,
            RSocketCase.clientRole: RSocketCase.clientPeer,
        ],
        run: { context in
            try context.measure(limit: .memcpy(size: 4096, seconds: 0.25 * context.scale))
            for throughput in TransportThroughput.cases {
                try throughput.measure(&context)
            }
            try TransportPingPong.measure(&context)
            for throughput in TransportTCPThroughput.cases {
                try throughput.measure(&context)
            }
            try TransportTCPPingPong.measure(&context)
            for rsocket in RSocketCase.cases {
                try rsocket.measure(&context)
            }
        })
}
