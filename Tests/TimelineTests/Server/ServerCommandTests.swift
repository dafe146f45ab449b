import Foundation
import Frames
import Glibc
import Harness
import Testing
import Timeline
import Transport

/// The built `ringside serve` and `ringside stat` in child processes: the listening lines, a
/// clean stop on SIGTERM, a restart after SIGKILL on the same data directory, a locked
/// directory, and stat against a live (and a missing) server.
@Suite("ringside serve and stat")
struct ServerCommandTests {
    @Test("serve prints its listeners, answers over shm and TCP, and stops on SIGTERM within 2 s leaving nothing in /dev/shm")
    func cleanStop() throws {
        let name = serverName("serve")
        defer { removeSegments(of: name) }
        let serve = try ServeProcess(["--name", name, "--tcp", "127.0.0.1:0"], tag: "clean")
        #expect(serve.waitForLine("ringside serve: listening on shm \(name)") != nil, "errors: \(serve.errors)")
        let address = try serve.tcpAddress()
        #expect(serve.output.contains("ringside serve: in memory (no --data-dir): writes are lost at exit"))
        let shm = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
        let tcp = try TimelineCaller(try TCPClientCarrier(connectingTo: address), .json)
        #expect(try shm.call(.insert(key: "k", score: 1, member: "a")) == .ok)
        #expect(try tcp.call(.select(key: "k", offset: 0, limit: 10)) == .records([record("a", 1)]))
        let stopping = ContinuousClock.now
        serve.process.kill(SIGTERM)
        #expect(serve.process.wait(deadline: .now + .seconds(2)) == .exited(0), "errors: \(serve.errors)")
        #expect(ContinuousClock.now - stopping < .seconds(2))
        #expect(segments(of: name).isEmpty, "left: \(segments(of: name))")
        #expect(serve.output.contains("ringside serve: stopped (SIGTERM)"))
        shm.connection.close()
        tcp.connection.close()
    }

    @Test("after SIGKILL stat says the server is dead, and a restart on the same --data-dir has every acknowledged write; a second server on it is refused")
    func killAndRestart() throws {
        try DurabilityDirectory.with("cmd-restart", publishesStat: true) { directory in
            let name = try #require(directory.statName)
            do {
                let serve = try directory.serve("durable1")
                #expect(serve.output.contains("ringside serve: durable in \(directory.path) (replayed 0 records"))
                let client = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
                for index in 0 ..< 100 {
                    #expect(try client.call(.insert(key: "k", score: Double(index), member: "m\(index)")) == .ok)
                }
                let locked = try runRingside(["serve", "--name", name + "-b", "--data-dir", directory.path])
                #expect(locked.0 == .exited(1))
                #expect(locked.2.contains("ringside serve: \(directory.path) is locked by pid \(serve.process.pid)"), "\(locked.2)")
                let pid = serve.process.pid
                serve.process.kill(SIGKILL)
                client.connection.close()
                let dead = try runRingside(["stat", "--name", name])
                #expect(dead.0 == .exited(1))
                #expect(dead.2.contains("(pid \(pid)) is dead"), "\(dead.2)")
            }
            let again = try directory.serve("durable2")
            #expect(again.output.contains("(replayed 100 records"), "\(again.output)")
            let client = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .json)
            #expect(try client.call(.select(key: "k", offset: 0, limit: 0)) == .records((0 ..< 100).reversed().map { record("m\($0)", Double($0)) }))
            again.process.kill(SIGINT)
            #expect(again.process.wait(deadline: .now + .seconds(2)) == .exited(0))
            client.connection.close()
        }
    }

    @Test("serve refuses a corrupt middle record with the journal's error and exit status 1")
    func corruptStart() throws {
        try DurabilityDirectory.with("cmd-corrupt", publishesStat: true) { directory in
            let name = try #require(directory.statName)
            do {
                let serve = try directory.serve("corrupt")
                let client = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
                for index in 0 ..< 5 { _ = try client.call(.insert(key: "k", score: Double(index), member: "m\(index)")) }
                serve.process.kill(SIGTERM)
                #expect(serve.process.wait(deadline: .now + .seconds(2)) == .exited(0))
                client.connection.close()
            }
            let log = try #require(try directory.logs().first)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: log)))
            bytes[32 + 20] ^= 0x55
            try Data(bytes).write(to: URL(fileURLWithPath: log))
            let (status, _, errors) = try runRingside(["serve", "--name", name, "--data-dir", directory.path])
            #expect(status == .exited(1))
            #expect(errors.contains(URL(fileURLWithPath: log).lastPathComponent) && errors.contains("offset 32"), "\(errors)")
            #expect(segments(of: name).isEmpty, "left: \(segments(of: name))")
        }
    }

    @Test("stat reads a live server (text and --json) and says when none runs")
    func stat() throws {
        let name = serverName("stat")
        defer { removeSegments(of: name) }
        let serve = try ServeProcess(["--name", name, "--tcp", "127.0.0.1:0"], tag: "stat")
        _ = try serve.tcpAddress()
        let client = try TimelineCaller(try SharedMemoryClientCarrier(configuration: .init(name: name)), .binary)
        #expect(try client.call(.insert(key: "k", score: 1, member: "a")) == .ok)
        _ = try statAfterRefresh(name)
        let (status, text, _) = try runRingside(["stat", "--name", name])
        #expect(status == .exited(0))
        #expect(text.contains("server \(name): pid \(serve.process.pid), running"), "\(text)")
        #expect(text.contains("client pid \(getpid())"), "\(text)")
        let (jsonStatus, json, _) = try runRingside(["stat", "--name", name, "--json"])
        #expect(jsonStatus == .exited(0))
        let parsed = try JSONDecoder().decode(ServerStat.self, from: Data(json.utf8))
        #expect(parsed.pid == serve.process.pid)
        #expect(parsed[.inserts] == 1)
        #expect(parsed[.setEntries] <= 1)
        #expect(parsed.connections.count == 1)
        #expect(parsed.connections.first?.clientPid == getpid())
        client.connection.close()
        serve.process.kill(SIGTERM)
        #expect(serve.process.wait(deadline: .now + .seconds(2)) == .exited(0))
        let (missing, _, errors) = try runRingside(["stat", "--name", name])
        #expect(missing == .exited(1))
        #expect(errors.contains("no server named '\(name)' is running"), "\(errors)")
    }

    @Test("bad usage exits 2; --help exits 0")
    func usage() throws {
        #expect(try runRingside(["serve", "--bogus"]).0 == .exited(2))
        #expect(try runRingside(["serve", "--tcp", "nowhere"]).0 == .exited(2))
        #expect(try runRingside(["stat", "extra"]).0 == .exited(2))
        let help = try runRingside(["serve", "--help"])
        #expect(help.0 == .exited(0))
        #expect(help.1.contains("--data-dir DIR"))
    }
}
