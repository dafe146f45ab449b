import Glibc
import Harness
import Posix
import Testing

extension HarnessTests {
    @Suite("Child processes")
    struct ChildProcessTests {
        /// Runs `script` with `/bin/sh -c`.
        func shell(
            _ script: String, environment: [String: String] = [:],
            standardOutput: ChildProcess.Output = .inherit, standardError: ChildProcess.Output = .inherit,
            timeLimit: Duration = .seconds(30)
        ) throws -> ChildProcess {
            try ChildProcess("/bin/sh", arguments: ["-c", script], environment: environment,
                             standardOutput: standardOutput, standardError: standardError, timeLimit: timeLimit)
        }

        /// Whether `pid` names no process any more (so it was reaped, not left a zombie).
        func isGone(_ pid: pid_t) -> Bool {
            Glibc.kill(pid, 0) != 0 && errno == ESRCH
        }

        @Test("a helper built next to the test bundle is found, started, and its exit status reported")
        func builtHelper() throws {
            let path = try ChildProcess.executable(named: "ring-peer")
            #expect(path.hasSuffix("/ring-peer"))
            #expect(access(path, X_OK) == 0)
            let child = try ChildProcess(path, arguments: ["no-such-role"], standardError: .pipe)
            #expect(String(decoding: try child.readStandardError(), as: UTF8.self) == "ring-peer: unknown role 'no-such-role'\n")
            #expect(child.wait() == .exited(2))
            #expect(child.poll() == .exited(2))
            #expect(isGone(child.pid))
        }

        @Test("arguments and added environment reach the child; its output and error come back through pipes")
        func pipesAndEnvironment() throws {
            let child = try shell(
                #"printf '%s|%s' "$RINGSIDE_HARNESS_PROBE" "$0"; printf oops >&2; exit 3"#,
                environment: ["RINGSIDE_HARNESS_PROBE": "value with spaces"], standardOutput: .pipe, standardError: .pipe)
            #expect(String(decoding: try child.readStandardOutput(), as: UTF8.self) == "value with spaces|/bin/sh")
            #expect(String(decoding: try child.readStandardError(), as: UTF8.self) == "oops")
            #expect(child.wait() == .exited(3))
        }

        @Test("an added variable replaces the inherited one of the same name; discarded output never arrives")
        func replacedVariable() throws {
            let child = try shell(#"printf '%s' "$HOME"; echo noise >&2"#, environment: ["HOME": "/elsewhere"],
                                  standardOutput: .pipe, standardError: .discard)
            #expect(String(decoding: try child.readStandardOutput(), as: UTF8.self) == "/elsewhere")
            #expect(try child.readStandardError().isEmpty)
            #expect(child.wait() == .exited(0))
        }

        @Test("a signal ends the child and is reported; SIGKILL reaps it at once")
        func signals() throws {
            let terminated = try shell("exec sleep 30")
            terminated.kill(SIGTERM)
            #expect(terminated.wait() == .signalled(SIGTERM))
            let killed = try shell("exec sleep 30")
            killed.kill()
            #expect(isGone(killed.pid))
            #expect(killed.wait() == .signalled(SIGKILL))
        }

        @Test("a wait whose deadline passes kills the child with SIGKILL and reaps it")
        func waitDeadline() throws {
            let child = try shell("exec sleep 30")
            let start = ContinuousClock.now
            #expect(child.wait(deadline: start + .milliseconds(100)) == .killedAtDeadline)
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(isGone(child.pid))
        }

        @Test("past its time limit, a child nobody waits on is killed by the watchdog")
        func watchdog() throws {
            let child = try shell("exec sleep 30", timeLimit: .milliseconds(100))
            try Sys.sleep(for: .milliseconds(600))
            #expect(child.poll() == .killedAtDeadline)
            #expect(isGone(child.pid))
        }

        @Test("a child dropped by its owner is killed and reaped")
        func dropped() throws {
            var child: ChildProcess? = try shell("exec sleep 30")
            let pid = try #require(child?.pid)
            #expect(!isGone(pid))
            child = nil
            #expect(isGone(pid))
        }

        @Test("a child that stops itself is seen stopped, and can then be killed")
        func stopped() throws {
            let child = try shell("kill -STOP $$; exit 0")
            #expect(child.waitUntilStopped())
            child.kill()
            #expect(child.wait() == .signalled(SIGKILL))
            let exits = try shell("exit 0")
            #expect(!exits.waitUntilStopped())
            #expect(exits.wait() == .exited(0))
        }

        @Test("an executable that does not exist fails to start with a typed error")
        func missingExecutable() {
            #expect(throws: SystemCallError(.posixSpawn, .noSuchFile)) {
                _ = try ChildProcess("/nonexistent/ringside-helper")
            }
        }
    }
}
