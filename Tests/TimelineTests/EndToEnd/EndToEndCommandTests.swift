import Foundation
import Harness
import Testing
import Timeline

/// The client commands against a spawned `ringside serve`: what they print, their errors and
/// exit statuses (DESIGN contract 3).
@Suite("End to end: ringside commands", .serialized)
struct EndToEndCommandTests {
    /// A command's exit, standard output and standard error.
    struct Outcome {
        let termination: ChildProcess.Termination
        let output: String
        let errors: String
    }

    /// Runs `ringside ARGUMENTS` to its end (at most 30 s).
    static func ringside(_ arguments: [String]) throws -> Outcome {
        let (termination, output, errors) = try runRingside(arguments)
        return Outcome(termination: termination, output: output, errors: errors)
    }

    /// `ringside ARGUMENTS` started with its standard output and error going to `file` (a
    /// child's pipe can only be read to its end, and these run until stopped), killed at
    /// `timeLimit` at the latest.
    static func start(_ arguments: [String], into file: String, timeLimit: Duration = .seconds(60)) throws -> ChildProcess {
        let quoted = ([try ringsidePath()] + arguments).map { "'" + $0 + "'" }.joined(separator: " ")
        return try ChildProcess("/bin/sh", arguments: ["-c", "exec \(quoted) >'\(file)' 2>&1"], timeLimit: timeLimit)
    }

    /// The text of `file` so far.
    static func text(_ file: String) -> String {
        (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    @Test("serve, then insert, select, tail and delete over shm and TCP; a clean stop")
    func commands() throws {
        let name = TestNames.unique("cli")
        let log = "/tmp/\(name).serve"
        let tailLog = "/tmp/\(name).tail"
        defer {
            try? FileManager.default.removeItem(atPath: log)
            try? FileManager.default.removeItem(atPath: tailLog)
        }
        let serve = try Self.start(["serve", "--name", name, "--tcp", "127.0.0.1:0"], into: log)
        defer { serve.kill() }
        var port: String?
        #expect(eventually(within: .seconds(30)) {
            let text = Self.text(log)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ringside serve: listening on tcp 127.0.0.1:") }) {
                port = String(line.split(separator: ":").last!)
            }
            return port != nil && text.contains("ringside serve: listening on shm \(name)")
        }, "\(Self.text(log))")
        let tcp = "127.0.0.1:\(try #require(port))"

        let tail = try Self.start(["tail", "--name", name, "feed"], into: tailLog)
        defer { tail.kill() }
        // The tail is subscribed once its connection shows in the server's count of two...
        // simpler: write until the tail has printed the first event.
        #expect(eventually(within: .seconds(20)) {
            _ = try? Self.ringside(["insert", "--name", name, "feed", "0", "warm-up"])
            return Self.text(tailLog).contains("insert feed 0 warm-up")
        })

        var outcome = try Self.ringside(["insert", "--name", name, "feed", "2", "b"])
        #expect(outcome.termination == .exited(0), "\(outcome.errors)")
        outcome = try Self.ringside(["insert", "--tcp", tcp, "feed", "1e+06", "c"])
        #expect(outcome.termination == .exited(0), "\(outcome.errors)")
        outcome = try Self.ringside(["delete", "--tcp", tcp, "feed", "1", "warm-up"])
        #expect(outcome.termination == .exited(0), "\(outcome.errors)")
        outcome = try Self.ringside(["select", "--name", name, "feed"])
        #expect(outcome.termination == .exited(0))
        #expect(outcome.output == "c:1e+06\nb:2\n")
        outcome = try Self.ringside(["select", "--tcp", tcp, "feed", "--offset", "1", "--limit", "5"])
        #expect(outcome.output == "b:2\n")
        #expect(eventually { Self.text(tailLog).contains("insert feed 1e+06 c\ndelete feed 1 warm-up\n") }, "\(Self.text(tailLog))")

        // A load with acknowledged writes reports its rate and latency percentiles.
        // (500 each: a debug build on a loaded machine manages a few hundred a second.)
        outcome = try Self.ringside(["load", "--name", name, "--producers", "2", "--events", "500", "--keys", "10", "--ack", "--encoding", "json"])
        #expect(outcome.termination == .exited(0), "\(outcome.errors)")
        #expect(outcome.output.contains("events: 1000 in"))
        #expect(outcome.output.contains("latency (acknowledged round trip): p50 "))

        // A clean stop: exit 0, nothing left in /dev/shm; the tail, which has every event,
        // is completed by the stop and exits 0 too.
        serve.kill(SIGTERM)
        #expect(serve.wait(deadline: .now + .seconds(10)) == .exited(0), "\(Self.text(log))")
        #expect(TestNames.segments(of: name).isEmpty)
        #expect(tail.wait(deadline: .now + .seconds(10)) == .exited(0), "\(Self.text(tailLog))")
    }

    @Test("readable errors and exit statuses without a server")
    func errors() throws {
        let name = TestNames.unique("none")
        var outcome = try Self.ringside(["select", "--name", name, "k"])
        #expect(outcome.termination == .exited(1))
        #expect(outcome.errors == "ringside select: no server named '\(name)' (start one with: ringside serve --name \(name))\n")
        outcome = try Self.ringside(["select", "k"])
        if outcome.termination == .exited(1) {
            // Only when no default server runs on this machine.
            #expect(outcome.errors == "ringside select: no server named 'ringside' (start one with: ringside serve)\n")
        }
        outcome = try Self.ringside(["insert", "--tcp", "127.0.0.1:1", "k", "1", "m"])
        #expect(outcome.termination == .exited(1))
        #expect(outcome.errors.hasPrefix("ringside insert: no server at tcp 127.0.0.1:1 ("))
        for usage in [["insert", "k", "1"], ["insert", "k", "nan", "m"], ["select", "--limit", "-1", "k"], ["tail"],
                      ["load", "--producers", "2"], ["select", "--name", "a", "--tcp", "127.0.0.1:2", "k"], ["delete", "--bogus", "k", "1", "m"]] {
            outcome = try Self.ringside(usage)
            #expect(outcome.termination == .exited(2), "\(usage): \(outcome.errors)")
            #expect(outcome.errors.contains("--help"), "\(usage): \(outcome.errors)")
        }
        for command in ["insert", "delete", "select", "tail", "load"] {
            outcome = try Self.ringside([command, "--help"])
            #expect(outcome.termination == .exited(0))
            #expect(outcome.output.hasPrefix("USAGE: ringside \(command)"))
        }
    }
}
