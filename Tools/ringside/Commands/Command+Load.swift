import Glibc
import Harness
import Posix
import Timeline

extension Command {
    /// `ringside load`: producer processes writing the lab's workload to a running server.
    static let load = Command(
        name: "load",
        summary: "load a running server from producer processes; report events/s and latency",
        help: """
            USAGE: ringside load [--name NAME | --tcp HOST:PORT] --producers P --events N
                                 [--keys K] [--encoding binary|json] [--ack] [--time-limit S]

            Starts P producer processes (this executable again), each connected on its own
            and inserting N events of the lab's workload: producer p's event i inserts the
            16-byte member 'pPP-IIIIIIIIIIII' with score i + 1 (increasing) under key
            'key-NNNNN', N = ((i mod K) * 7919 + p * 104729) mod K. Writes are fire-and-forget,
            or request-response with --ack (one in flight per producer). Each producer ends
            with a select, so when load returns every event has been applied. Progress goes to
            standard error; the summary to standard output: events per second from the first
            write to the last applied, and with --ack the round-trip percentiles. SIGINT
            (Ctrl-C) or SIGTERM stops the producers, each closing its connection, and ends
            the load with exit status 1, saying how many events were sent.

            \(ClientOptions.helpSection(
                "  --producers P    producer processes (1 to \(TimelineWorkload.maxProducers - 1))",
                "  --events N       events per producer (1 to \(TimelineWorkload.maxEvents))",
                "  --keys K         keys the events are spread over (1 to 100000, default 10000)",
                ClientOptions.encodingHelp,
                "  --ack            acknowledged writes (request-response), with latency percentiles",
                "  --time-limit S   seconds before the producers are killed and load fails (default 600)"))
            """
    ) { arguments in
        var arguments = arguments
        let options = try ClientOptions(&arguments, encodingOption: true)
        guard let producers = try arguments.integer("--producers", in: 1 ... TimelineWorkload.maxProducers - 1) else {
            throw UsageError("--producers P is required")
        }
        guard let events = try arguments.integer("--events", in: 1 ... TimelineWorkload.maxEvents) else {
            throw UsageError("--events N is required")
        }
        let keys = try arguments.integer("--keys", in: 1 ... 100_000) ?? 10_000
        let acknowledged = try arguments.flag("--ack")
        let timeLimit = try arguments.integer("--time-limit", in: 1 ... 86_400) ?? 600
        try arguments.noPositionals()
        // Before any thread starts (the client's below): SIGINT or SIGTERM then stops the
        // producers and removes the progress files instead of leaving both behind.
        try SignalWatch.blockStopSignals()
        // Fail here, with the readable message, when no server runs.
        try options.connect().close()
        return try runLoad(options, producers: producers, events: events, keys: keys, acknowledged: acknowledged, timeLimit: .seconds(timeLimit))
    }

    /// Spawns the producers, shows progress, collects their reports and prints the summary.
    /// A stop signal (blocked by the caller) stops the producers and fails the load.
    private static func runLoad(
        _ options: ClientOptions, producers: Int, events: Int, keys: Int, acknowledged: Bool, timeLimit: Duration
    ) throws -> Int32 {
        let watch = SignalWatch {}
        let progress = try LoadProgress.create(producers: producers)
        defer { progress.close(removing: true) }
        let executable: String
        do throws(SystemCallError) {
            executable = try ChildProcess.currentExecutable()
        } catch {
            throw RuntimeError("cannot find this executable: \(error.errno.message)")
        }
        var children: [ChildProcess] = []
        for producer in 0 ..< producers {
            let arguments = ["load-producer", "--producer", "\(producer)", "--events", "\(events)", "--keys", "\(keys)",
                             "--progress", progress.path, "--time-limit", "\(timeLimit.components.seconds)"]
                + options.arguments + (acknowledged ? ["--ack"] : [])
            do throws(SystemCallError) {
                children.append(try ChildProcess(executable, arguments: arguments, standardOutput: .discard, standardError: .pipe, timeLimit: timeLimit))
            } catch {
                stop(children)
                throw RuntimeError("cannot start producer \(producer): \(error.errno.message)")
            }
        }
        let mode = acknowledged ? "acknowledged" : "fire-and-forget"
        let encoding = options.encoding == .binary ? "binary" : "json"
        let what = "\(producers) producer\(producers == 1 ? "" : "s") x \(events) events (\(encoding), \(mode))"
        printError("ringside load: \(what) to \(options.endpoint)")
        let total = producers * events
        var lastShown = ContinuousClock.now
        while children.contains(where: { $0.poll() == nil }) {
            if let signal = watch.signal {
                stop(children)
                throw RuntimeError(
                    "stopped by \(SignalWatch.name(signal)) after \(progress.total(producers: producers)) of \(total) events sent; producers stopped")
            }
            // One producer failing (the server went away, a write was refused) fails the
            // load now, rather than after the others have sent all of theirs.
            if let failed = children.firstIndex(where: { $0.poll().map { $0 != .exited(0) } ?? false }) {
                stop(children)
                throw producerFailure(failed, children[failed])
            }
            try? Sys.sleep(for: .milliseconds(50))
            if ContinuousClock.now - lastShown >= .seconds(1) {
                lastShown = .now
                let sent = progress.total(producers: producers)
                printError("ringside load: \(sent)/\(total) events sent (\(sent * 100 / total) %)")
            }
        }
        var reports: [ProducerReport] = []
        for (producer, child) in children.enumerated() {
            guard child.wait() == .exited(0), let report = ProducerReport(parsing: progress.takeReport(producer: producer)) else {
                throw producerFailure(producer, child)
            }
            reports.append(report)
        }
        let summary = LoadSummary(reports)
        print("ringside load: \(what) over \(options.endpoint)")
        for line in summary.lines { print(line) }
        return 0
    }

    /// Why producer `producer` (ended) failed: how it ended and the last line it wrote to
    /// standard error.
    private static func producerFailure(_ producer: Int, _ child: ChildProcess) -> RuntimeError {
        let errors = String(decoding: (try? child.readStandardError()) ?? [], as: UTF8.self)
        let why = errors.split(separator: "\n").last.map(String.init) ?? "no report"
        return RuntimeError("producer \(producer) failed (\(child.wait())): \(why)")
    }

    /// Stops `children`: SIGTERM (a producer closes its connection and exits), then SIGKILL
    /// for any still running 2 s later; every one reaped.
    private static func stop(_ children: [ChildProcess]) {
        for child in children { child.kill(SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(2)
        for child in children { _ = child.wait(deadline: deadline) }
    }

    /// `ringside load-producer`: one producer of `ringside load` (hidden: load starts it).
    static let loadProducer = Command(
        name: "load-producer",
        summary: "one producer process of ringside load (started by load itself)",
        help: """
            USAGE: ringside load-producer [--name NAME | --tcp HOST:PORT] --producer P --events N
                                          --keys K [--encoding binary|json] [--ack] [--progress FILE]
                                          [--time-limit S]

            One producer of ringside load: writes its share of the workload and leaves its
            report ('done EVENTS START_NS END_NS', with --ack also 'latency NS ...') in
            FILE.PRODUCER beside the progress file (on standard output without --progress).
            A request (or a send waiting for room) times out after S seconds (default 600,
            load's time limit): the closing select waits behind every write still queued.
            """
    ) { arguments in
        var arguments = arguments
        let options = try ClientOptions(&arguments, encodingOption: true)
        guard let producer = try arguments.integer("--producer", in: 0 ... TimelineWorkload.maxProducers - 1),
              let events = try arguments.integer("--events", in: 1 ... TimelineWorkload.maxEvents),
              let keys = try arguments.integer("--keys", in: 1 ... 100_000) else {
            throw UsageError("--producer, --events and --keys are required")
        }
        let acknowledged = try arguments.flag("--ack")
        let progressPath = try arguments.option("--progress")
        let timeLimit = try arguments.integer("--time-limit", in: 1 ... 86_400) ?? 600
        try arguments.noPositionals()
        try SignalWatch.blockStopSignals()
        let progress = try progressPath.map(LoadProgress.open)
        defer { progress?.close(removing: false) }
        // Not the client's 30 s: a flood of fire-and-forget writes queues seconds of work on a
        // slow server (a debug build on loaded cores took over 30 s to answer the closing
        // select of 100,000), and load's own time limit already bounds the whole run.
        let client = try options.connect(TimelineClientConfiguration(requestTimeout: .seconds(timeLimit)))
        defer { client.close() }
        // SIGINT or SIGTERM (from load, or Ctrl-C to the whole group) closes the connection:
        // the write in progress fails and the producer exits with its channel unlinked.
        let watch = SignalWatch { client.close() }
        let report: ProducerReport
        do throws(TimelineClientError) {
            report = try produce(
                client, TimelineWorkload(keyCount: keys), producer: producer, events: events, acknowledged: acknowledged, progress: progress)
        } catch {
            if let signal = watch.signal { throw RuntimeError("stopped by \(SignalWatch.name(signal))") }
            throw options.failure(error)
        }
        if let progress {
            try progress.writeReport(report.text, producer: producer)
        } else {
            print(report.text, terminator: "")
        }
        return 0
    }

    /// Writes producer `producer`'s events; the hot loop allocates nothing (binary encoding).
    private static func produce(
        _ client: TimelineClient, _ workload: TimelineWorkload, producer: Int, events: Int, acknowledged: Bool, progress: LoadProgress?
    ) throws(TimelineClientError) -> ProducerReport {
        let member = UnsafeMutableRawBufferPointer.allocate(byteCount: TimelineWorkload.memberLength, alignment: 8)
        defer { member.deallocate() }
        var latencies: [Int64] = []
        if acknowledged { latencies.reserveCapacity(events) }
        let delivery: TimelineDelivery = acknowledged ? .acknowledged : .fireAndForget
        let start = Sys.monotonicNanoseconds()
        // Views of the keys and the member, so that the loop touches no reference count.
        try workload.withKeyViews { (keys) throws(TimelineClientError) in
            for index in 0 ..< events {
                TimelineWorkload.writeMember(producer: producer, index: index, into: member)
                let key = keys[workload.keyIndex(producer: producer, index: index)]
                let sent = acknowledged ? Sys.monotonicNanoseconds() : 0
                try client.insert(
                    key: key, score: TimelineWorkload.score(index: index), member: UnsafeRawBufferPointer(member), delivery: delivery)
                if acknowledged { latencies.append(Sys.monotonicNanoseconds() - sent) }
                if (index + 1) % LoadProgress.interval == 0 { progress?.report(producer: producer, count: index + 1) }
            }
        }
        progress?.report(producer: producer, count: events)
        // Requests of one connection are applied in order: once this select is answered,
        // every write before it has been applied.
        _ = try client.select(key: workload.keys[0], offset: 0, limit: 1)
        let end = Sys.monotonicNanoseconds()
        return ProducerReport(events: events, start: start, end: end, latencies: latencies)
    }
}
