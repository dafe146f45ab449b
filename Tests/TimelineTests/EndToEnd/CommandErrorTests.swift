import Foundation
import Glibc
import Harness
import Posix
import Testing
import Timeline

/// The unhappy paths of the `ringside` commands as a user meets them: every error names the
/// problem and the option, exits with the status contract 3 gives (2 bad usage, 1 runtime
/// failure), and leaves nothing in /dev/shm; long-running commands stop cleanly on SIGINT and
/// SIGTERM; keys and members travel as the bytes given.
@Suite("ringside command errors and stops", .serialized)
struct CommandErrorTests {
    /// Runs `ringside ARGUMENTS` and expects exit status 2 with `message` in its standard
    /// error, nothing on standard output.
    static func expectUsageError(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (termination, output, errors) = try runRingside(arguments)
        #expect(termination == .exited(2), "\(arguments): \(errors)", sourceLocation: sourceLocation)
        #expect(errors.contains(message), "\(arguments): \(errors)", sourceLocation: sourceLocation)
        #expect(output.isEmpty, "\(arguments): \(output)", sourceLocation: sourceLocation)
    }

    /// Runs `sh -c SCRIPT` (`$0` is the ringside executable) to its end: its status and the
    /// raw bytes of its standard output (for arguments and output that are not UTF-8).
    static func shell(_ script: String) throws -> (ChildProcess.Termination, [UInt8]) {
        let child = try ChildProcess(
            "/bin/sh", arguments: ["-c", script, try ringsidePath()], standardOutput: .pipe, standardError: .discard,
            timeLimit: .seconds(30))
        let output = try child.readStandardOutput()
        return (child.wait(), output)
    }

    /// Runs `body` with the name of a `ringside serve --name NAME SERVEARGUMENTS` started for
    /// it and a log file path for the commands it starts; then stops the server with SIGTERM
    /// (exit 0) and removes what is left.
    static func withServer(_ tag: String, serveArguments: [String] = [], _ body: (_ name: String, _ log: String) throws -> Void) throws {
        let name = serverName(tag)
        let log = NSTemporaryDirectory() + "ringside-\(getpid())-\(tag).out"
        defer {
            removeSegments(of: name)
            try? FileManager.default.removeItem(atPath: log)
        }
        let serve = try ServeProcess(["--name", name] + serveArguments, tag: tag)
        try #require(serve.waitForLine("ringside serve: listening on shm \(name)") != nil, "errors: \(serve.errors)")
        try body(name, log)
        serve.process.kill(SIGTERM)
        #expect(serve.process.wait(deadline: .now + .seconds(5)) == .exited(0))
    }

    /// Runs `body` with a server (``withServer(_:_:)``) and a `ringside load` of 2 producers
    /// writing to it (endlessly, for a test's purposes), once both producers are connected.
    static func withLoad(_ tag: String, _ body: (_ name: String, _ log: String, _ load: ChildProcess) throws -> Void) throws {
        try withServer(tag) { name, log in
            let load = try EndToEndCommandTests.start(["load", "--name", name, "--producers", "2", "--events", "100000000"], into: log)
            defer { load.kill() }
            #expect(eventually(within: .seconds(20)) { channels(of: name).count == 2 }, "\(segments(of: name))")
            try body(name, log, load)
        }
    }

    /// The channel segments (`NAME-ch-...`) of server `name` now in /dev/shm.
    static func channels(of name: String) -> [String] {
        segments(of: name).filter { $0.hasPrefix("/\(name)-ch-") }
    }

    @Test("bad usage names the option and exits 2: repeated options, too long names and fields, bad addresses, unknown commands")
    func usage() throws {
        try Self.expectUsageError(["insert", "--name", "a", "--name", "b", "k", "1", "m"], "--name is given more than once")
        try Self.expectUsageError(["serve", "--tcp", "127.0.0.1:0", "--tcp=127.0.0.1:1"], "--tcp is given more than once")
        try Self.expectUsageError(["select", "--name", String(repeating: "n", count: 201), "k"], "bytes, no '/'")
        try Self.expectUsageError(["tail", "--name", "..", "k"], "--name '..'")
        try Self.expectUsageError(["insert", "k", "1", String(repeating: "m", count: 65_536)], "MEMBER is 65536 bytes; at most 65535")
        try Self.expectUsageError(["select", String(repeating: "k", count: 70_000)], "KEY is 70000 bytes")
        try Self.expectUsageError(["insert", "k", "inf", "m"], "SCORE 'inf': scores are finite numbers")
        try Self.expectUsageError(["insert", "k", "abc", "m"], "SCORE: score 'abc' is not a number")
        try Self.expectUsageError(["insert", "k", "1", "--odd"], "unknown flag '--odd'")
        try Self.expectUsageError(["serve", "--tcp", "nohost"], "--tcp 'nohost': address 'nohost': expected HOST:PORT")
        try Self.expectUsageError(["serve", "--tcp", "1.2.3.4:99999"], "--tcp '1.2.3.4:99999': address '1.2.3.4:99999': port '99999'")
        try Self.expectUsageError(["serve", "--max-size", "-1"], "--max-size needs a whole number from 1 to")
        try Self.expectUsageError(["load", "--producers", "0", "--events", "1"], "--producers needs a whole number from 1 to 99, not '0'")
        try Self.expectUsageError(["bogus"], "ringside: unknown command 'bogus'; commands: serve, insert, delete")
        try Self.expectUsageError(["help", "bogus"], "ringside: unknown command 'bogus'")
        try Self.expectUsageError([], "USAGE: ringside COMMAND")
        let (help, output, _) = try runRingside(["help", "select"])
        #expect(help == .exited(0))
        #expect(output.hasPrefix("USAGE: ringside select"))
        let (serveHelp, serveOutput, _) = try runRingside(["serve", "--help"])
        #expect(serveHelp == .exited(0))
        #expect(serveOutput.contains("--max-size N      entries kept per add set and per remove set (default 10000)"))
    }

    @Test("serve refuses a taken name, a TCP address in use and a data dir that is a file, naming each, leaving nothing in /dev/shm")
    func serveFailures() throws {
        let name = serverName("cli-taken")
        let other = serverName("other")
        let file = NSTemporaryDirectory() + "ringside-\(getpid())-not-a-dir"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        defer {
            removeSegments(of: name)
            removeSegments(of: other)
            try? FileManager.default.removeItem(atPath: file)
        }
        let serve = try ServeProcess(["--name", name, "--tcp", "127.0.0.1:0"], tag: "taken")
        let address = try serve.tcpAddress()

        var (status, _, errors) = try runRingside(["serve", "--name", name])
        #expect(status == .exited(1))
        #expect(errors.contains("a server named '\(name)' is already running (pid \(serve.process.pid))"), "\(errors)")
        (status, _, errors) = try runRingside(["serve", "--name", other, "--tcp", "\(address)"])
        #expect(status == .exited(1))
        #expect(errors == "ringside serve: --tcp \(address): the address is in use (another server listens there?)\n", "\(errors)")
        #expect(segments(of: other).isEmpty, "left: \(segments(of: other))")
        (status, _, errors) = try runRingside(["serve", "--name", other, "--data-dir", file])
        #expect(status == .exited(1))
        #expect(errors.hasPrefix("ringside serve: --data-dir: \(file)/") && errors.contains("ENOTDIR"), "\(errors)")
        #expect(segments(of: other).isEmpty, "left: \(segments(of: other))")

        serve.process.kill(SIGTERM)
        #expect(serve.process.wait(deadline: .now + .seconds(5)) == .exited(0))
        (status, _, errors) = try runRingside(["select", "--name", name, "k"])
        #expect(status == .exited(1))
        #expect(errors == "ringside select: no server named '\(name)' (start one with: ringside serve --name \(name))\n", "\(errors)")
    }

    @Test("keys and members travel as the bytes given: not UTF-8, or starting with '-' after '--'")
    func rawBytes() throws {
        try Self.withServer("bytes") { name, _ in
            var (status, output) = try Self.shell("exec \"$0\" insert --name \(name) \"$(printf 'k\\377')\" 2 \"$(printf '\\377\\376')\"")
            #expect(status == .exited(0))
            (status, output) = try Self.shell("exec \"$0\" insert --name \(name) -- \"$(printf 'k\\377')\" 1 --odd")
            #expect(status == .exited(0))
            (status, output) = try Self.shell("exec \"$0\" select --name \(name) \"$(printf 'k\\377')\"")
            #expect(status == .exited(0))
            #expect(output == [0xFF, 0xFE] + Array(":2\n--odd:1\n".utf8), "\(output)")
            // The key is its raw bytes too, not the UTF-8 repair of them (k U+FFFD).
            (status, output) = try Self.shell("exec \"$0\" select --name \(name) \"$(printf 'k\\357\\277\\275')\"")
            #expect(status == .exited(0))
            #expect(output.isEmpty, "\(output)")
        }
    }

    @Test("tail stops on SIGINT and SIGTERM and when its reader goes, exit 0, its channel unlinked at once")
    func tailStops() throws {
        try Self.withServer("tailstop") { name, log in
            for signal in [SIGINT, SIGTERM] {
                let tail = try EndToEndCommandTests.start(["tail", "--name", name, "feed"], into: log)
                defer { tail.kill() }
                // Subscribed once it prints a write.
                #expect(eventually(within: .seconds(20)) {
                    _ = try? runRingside(["insert", "--name", name, "feed", "\(signal)", "m"])
                    return EndToEndCommandTests.text(log).contains("insert feed \(signal) m\n")
                })
                #expect(Self.channels(of: name).count == 1, "\(segments(of: name))")
                tail.kill(signal)
                #expect(tail.wait(deadline: .now + .seconds(5)) == .exited(0), "\(EndToEndCommandTests.text(log))")
                // Unlinked by the tail itself: the server's reclaim of a dead client comes later.
                #expect(Self.channels(of: name).isEmpty, "\(segments(of: name))")
            }
            // A reader that closes its pipe: the tail ends (no SIGPIPE death, no spinning).
            let piped = try ChildProcess(
                "/bin/sh", arguments: ["-c", "\"$0\" tail --name \(name) feed | head -n 1 >/dev/null", try ringsidePath()], timeLimit: .seconds(30))
            defer { piped.kill() }
            var inserted = 100
            #expect(eventually(within: .seconds(20)) {
                inserted += 1
                _ = try? runRingside(["insert", "--name", name, "feed", "\(inserted)", "p"])
                return piped.poll() != nil
            })
            #expect(piped.wait(deadline: .now + .seconds(5)) == .exited(0))
            #expect(Self.channels(of: name).isEmpty, "\(segments(of: name))")
        }
    }

    @Test("a tail exits 0 when its server stops cleanly (the stop completes it), 1 saying the server went away when it dies", arguments: [SIGTERM, SIGKILL])
    func tailServerGone(signal: Int32) throws {
        let name = serverName("tailgone\(signal)")
        let log = NSTemporaryDirectory() + "ringside-\(getpid())-tailgone\(signal).out"
        defer {
            removeSegments(of: name)
            try? FileManager.default.removeItem(atPath: log)
        }
        let serve = try ServeProcess(["--name", name], tag: "tailgone\(signal)")
        try #require(serve.waitForLine("ringside serve: listening on shm \(name)") != nil, "errors: \(serve.errors)")
        let tail = try EndToEndCommandTests.start(["tail", "--name", name, "feed"], into: log)
        defer { tail.kill() }
        // Subscribed once it prints a write (a server that stops while the client is still in
        // its handshake gives another error).
        // A retry writes the same tuple again, which the set applies again (an equal score is
        // not older), so the tail may print it more than once: a last write, once printed,
        // marks the end of what it printed (events arrive in order).
        #expect(eventually(within: .seconds(20)) {
            _ = try? runRingside(["insert", "--name", name, "feed", "1", "m"])
            return EndToEndCommandTests.text(log).contains("insert feed 1 m\n")
        })
        #expect(try runRingside(["insert", "--name", name, "feed", "2", "last"]).0 == .exited(0))
        #expect(eventually(within: .seconds(10)) { EndToEndCommandTests.text(log).hasSuffix("insert feed 2 last\n") })
        let printed = EndToEndCommandTests.text(log)
        let pid = serve.process.pid
        serve.process.kill(signal)
        guard signal == SIGKILL else {
            #expect(serve.process.wait(deadline: .now + .seconds(5)) == .exited(0))
            #expect(tail.wait(deadline: .now + .seconds(10)) == .exited(0))
            #expect(EndToEndCommandTests.text(log) == printed, "\(EndToEndCommandTests.text(log))")
            #expect(segments(of: name).isEmpty, "\(segments(of: name))")
            return
        }
        #expect(serve.process.wait(deadline: .now + .seconds(5)) == .signalled(SIGKILL))
        #expect(tail.wait(deadline: .now + .seconds(10)) == .exited(1))
        #expect(EndToEndCommandTests.text(log) == printed + "ringside tail: the server went away (server pid \(pid) exited)\n",
                "\(EndToEndCommandTests.text(log))")
    }

    @Test("load stopped by SIGTERM stops its producers, exits 1 saying so, and leaves no channel and no progress file")
    func loadStops() throws {
        try Self.withLoad("loadstop") { name, log, load in
            load.kill(SIGTERM)
            #expect(load.wait(deadline: .now + .seconds(10)) == .exited(1), "\(EndToEndCommandTests.text(log))")
            #expect(EndToEndCommandTests.text(log).contains("ringside load: stopped by SIGTERM after "), "\(EndToEndCommandTests.text(log))")
            // The producers unlinked their channels before load reaped them.
            #expect(Self.channels(of: name).isEmpty, "\(segments(of: name))")
            let progress = ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("ringside-load-\(load.pid).") }
            #expect(progress.isEmpty, "\(progress)")
        }
    }

    @Test("load fails at once when one producer dies: the other is stopped, exit 1 naming the producer")
    func loadProducerDies() throws {
        try Self.withLoad("loaddies") { name, log, load in
            let children = (try? String(contentsOfFile: "/proc/\(load.pid)/task/\(load.pid)/children", encoding: .utf8)) ?? ""
            let victim = try #require(children.split(separator: " ").first.flatMap { pid_t($0) }, "children: '\(children)'")
            try Sys.kill(victim, SIGKILL)
            #expect(load.wait(deadline: .now + .seconds(10)) == .exited(1), "\(EndToEndCommandTests.text(log))")
            #expect(EndToEndCommandTests.text(log).contains("failed (signal 9)"), "\(EndToEndCommandTests.text(log))")
        }
    }

    @Test("the lab's command line refuses an empty --suite or --out and a repeated --out, --case or --runs (exit 2)")
    func labUsage() throws {
        // The lab executable is built with the tests (`swift build --build-tests` builds every
        // product); its options are read before a debug build refuses to measure.
        let lab = try ChildProcess.executable(named: "lab")
        try #require(FileManager.default.isExecutableFile(atPath: lab), "no lab at \(lab)")
        for (arguments, message) in [
            (["--suite", ","], "--suite needs suite names (transport, encoding"), (["--suite", "lww,"], "--suite needs suite names"),
            (["--out", ""], "--out needs a folder"), (["--out", "a", "--out", "b"], "--out is given more than once"),
            (["--runs", "3", "--runs", "4"], "--runs is given more than once"), (["--case", "a", "--case", "b"], "--case is given more than once"),
            (["--suite", "bogus"], "unknown suite 'bogus'"),
        ] {
            let child = try ChildProcess(lab, arguments: arguments, standardOutput: .discard, standardError: .pipe, timeLimit: .seconds(30))
            let errors = String(decoding: try child.readStandardError(), as: UTF8.self)
            #expect(child.wait() == .exited(2), "\(arguments): \(errors)")
            #expect(errors.contains(message), "\(arguments): \(errors)")
        }
    }
}
