extension Suite {
    /// The timeline service end to end: a ``TimelineServer`` in a peer process (pinned to
    /// CPU 1: its poll thread is the single writer; TCP's I/O thread runs there too), two
    /// producer processes writing the load workload (10,000 keys, 16-byte members,
    /// increasing scores) fire-and-forget, one insert per request (64 per request in
    /// `timeline-shm-binary-batched`), and a tail subscriber process, all three pinned to
    /// CPU 0; the select client, also on CPU 0, follows the producers on the same server.
    /// Nothing busy-spins for long: the server spins its default 10,000 polls (a few hundred
    /// microseconds), yields a hundred, then sleeps on its doorbell; a full ring makes a
    /// producer sleep a millisecond at most; the subscriber's connection thread, and its
    /// blocking reader, poll a bounded while (some tens of microseconds), yielding the
    /// processor every 128 empty polls and keeping it between (over TCP, where an empty poll
    /// is a system call, at every one), then sleep until rung. The subscriber's async tails are read by tasks that prefer the
    /// client's executor (`TimelineClient.executor`: resumed on the connection thread that
    /// read the event, no hop to the global pool). A producer waiting for its probe to be
    /// seen yields its CPU in a loop (CPU 0, shared with the subscriber, never idles: an idle
    /// vCPU here takes about 20 us to wake, where a yield hands the CPU over in about a
    /// microsecond); the same in every case. Once stopped, the subscriber writes probes of
    /// its own and reads each back on one thread (`insert_to_visible_own`): the service's
    /// path from a write to a tail with no hand-over of CPU 0 in it. The peers' other waits yield. Each
    /// repetition runs every case on a fresh server, in turn; right before
    /// `timeline-shm-binary`, `timeline-set-alone` applies the same writes to a fresh set in
    /// the lab process (``TimelineSetAlone``), the service's own set measured beside it. That yield is the probe's
    /// floor on two vCPUs: `timeline-shm-binary` is held against `limit-handover` (one
    /// process handing CPU 0 to another, measured right before it), its `of_limit` the share
    /// of its insert-to-visible p50 that the hand-over takes.
    static let timeline = Suite(
        name: "timeline",
        summary: "the timeline service end to end: a TimelineServer peer process on CPU 1 (its poll thread is the single "
            + "writer), 2 producer processes (load workload: 10k keys, 16-byte members, increasing scores; fire-and-forget, "
            + "one insert per request, -batched 64) and a tail subscriber process (32 keys) on CPU 0; events_per_s to the "
            + "producers' closing selects, checked against the server's writes_applied; insert_to_visible from the producer's "
            + "CLOCK_MONOTONIC stamp to the subscriber holding the event, one in flight (the probe's producer waits yielding "
            + "its CPU: were CPU 0 left idle, this VM would take ~20 us to wake it), read as AsyncSequences by tasks preferring the client's executor (its connection "
            + "thread; _loaded: while the producers write flat out; _blocking: read by a thread in TimelineTail.next() on a "
            + "client of its own; _own: written and read back by one thread of the subscriber, no CPU handed over); top-10 selects of random keys, 64 in flight and one at a time; -durable logs to a data dir "
            + "under /tmp (each fsync reaches the disk there unless /tmp is a tmpfs); timeline-set-alone: the same writes applied to a fresh LWWSet in the lab process, batches of 64, right before each "
            + "timeline-shm-binary run; timeline-shm-binary's insert_to_visible_p50 is "
            + "held against limit-handover (two processes on CPU 0 taking turns by sched_yield: the probe's producer hands CPU 0 "
            + "to the subscriber so)",
        peers: [
            TimelineServerPeer.role: TimelineServerPeer.peer,
            TimelineProducerPeer.role: TimelineProducerPeer.peer,
            TimelineSubscriberPeer.role: TimelineSubscriberPeer.peer,
            TimelineSelectPeer.role: TimelineSelectPeer.peer,
        ]
    ) { context in
        let cases = TimelineCase.all.filter { context.selects($0.name) || ($0.selectCase.map(context.selects) ?? false) }
        guard !cases.isEmpty else { return }
        let sizes = TimelineSizes(context)
        context.progress(
            "timeline: \(TimelineSizes.producers) producers x \(sizes.events) events, \(sizes.tailKeys) tails, \(sizes.probes) probes, "
                + "\(context.runs) runs")
        for run in context.repetitions("timeline", detail: "\(cases.count) cases") {
            for timelineCase in cases {
                context.progress("timeline: run \(run) of \(context.runs), \(timelineCase.name)")
                guard timelineCase.name == TimelineCase.handoverBound else {
                    _ = try runCase(timelineCase, sizes, run, &context)
                    continue
                }
                // Its own set alone, on the same writes, first: the service against its set.
                if context.selects(TimelineSetAlone.caseName) {
                    context.record(
                        case: TimelineSetAlone.caseName, metric: "events_per_s",
                        value: try TimelineSetAlone.eventsPerSecond(producers: TimelineSizes.producers, events: sizes.events(timelineCase)),
                        unit: "events/s")
                }
                // Its insert-to-visible p50 held against one hand-over of CPU 0, measured next.
                try context.measure(timelineCase.name, against: .handover(warmUp: 200, timed: 2_000)) { context in
                    try runCase(timelineCase, sizes, run, &context)
                }
            }
        }
        Console.note(
            "timeline: its ratios against lww-insert-batched, shm-pingpong-32B and redis-* appear in the summary only when "
                + "the lww, transport and peers suites run in the same invocation")
    }

    /// One run of `timelineCase` (and of its select case): records its figures and returns
    /// its insert-to-visible p50 in nanoseconds.
    private static func runCase(
        _ timelineCase: TimelineCase, _ sizes: TimelineSizes, _ run: Int, _ context: inout SuiteContext
    ) throws -> Double {
        let outcome = try TimelineHarness.run(timelineCase, sizes, seed: run)
        context.record(case: timelineCase.name, metric: "events_per_s", value: outcome.eventsPerSecond, unit: "events/s")
        context.record(case: timelineCase.name, latency: "insert_to_visible", outcome.probe)
        context.record(case: timelineCase.name, latency: "insert_to_visible_loaded", outcome.loaded)
        context.record(case: timelineCase.name, latency: "insert_to_visible_blocking", outcome.blockingProbe)
        context.record(case: timelineCase.name, latency: "insert_to_visible_own", outcome.ownProbe)
        context.record(case: timelineCase.name, metric: "server_sleeps", value: Double(outcome.serverSleeps), unit: "count")
        if let selectCase = timelineCase.selectCase, let select = outcome.select {
            context.record(case: selectCase, metric: "ops_per_s", value: select.opsPerSecond, unit: "ops/s")
            context.record(case: selectCase, latency: "rtt", select.roundTrip)
        }
        return Double(outcome.probe.p50)
    }
}
