import SeededRandom

extension Suite {
    /// The store a user would reach for instead: a local `redis-server` of the lab's own
    /// (started on a free loopback port, nothing saved, stopped at the end) under the lww
    /// workload, over the lab's own RESP client. The Ringside twins are the timeline suite's
    /// `timeline-*` cases (and, in process, the lww suite's); the summary shows each ratio.
    static let peers = Suite(
        name: "peers",
        summary: "a local redis-server under the lww workload (10k keys, 16-byte members, increasing scores): pipelined ZADD, ZREVRANGE top 10 pipelined and one at a time"
    ) { context in
        guard ["redis-zadd-pipelined", "redis-zrevrange-top10"].contains(where: context.selects) else { return }
        guard let executable = RedisServer.executable() else { throw SuiteSkipped(reason: RedisServer.installHint) }
        let server = try RedisServer(executable: executable)
        defer { server.stop() }
        let client = try server.connect()
        let workload = RedisWorkload(
            keys: 10_000, writes: context.scaled(200_000, minimum: 20_000), selects: context.scaled(100_000, minimum: 10_000),
            roundTrips: context.scaled(20_000, minimum: 2_000))
        context.progress("peers: redis-server on 127.0.0.1:\(server.port), \(workload.writeCount) writes per run, warming up")
        // One whole run first, thrown away: the fresh server grows its tables and the
        // kernel its socket buffers.
        try client.call("FLUSHALL")
        _ = try workload.zaddPipelined(client)
        _ = try workload.zrevrangePipelined(client)
        _ = try workload.zrevrangeOneAtATime(client, run: 0)
        context.discard(case: "redis-zadd-pipelined, redis-zrevrange-top10", reason: "warm-up of the fresh server")
        for run in context.repetitions("redis-zadd-pipelined and redis-zrevrange-top10", detail: "\(workload.writeCount) ZADDs") {
            try client.call("FLUSHALL")
            let writes = try workload.zaddPipelined(client)
            context.record(case: "redis-zadd-pipelined", metric: "ops_per_s", value: writes, unit: "ops/s")
            let selects = try workload.zrevrangePipelined(client)
            context.record(case: "redis-zrevrange-top10", metric: "ops_per_s", value: selects, unit: "ops/s")
            let latency = try workload.zrevrangeOneAtATime(client, run: run)
            context.record(case: "redis-zrevrange-top10", latency: "rtt", latency)
        }
    }
}
