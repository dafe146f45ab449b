import Foundation
import Glibc
import Harness
import ShmRing
import Testing
@testable import Timeline
import Transport

/// Which closed connections `ringside stat` counts as reclaimed clients: decided by the
/// carrier's close reason first, the client's process only where the reason cannot tell.
@Suite("reclaimed clients")
struct ReclaimTests {
    /// This process: alive.
    static let alive = ProcessIdentity.of(pid: getpid())!
    /// No process: this pid with another start time.
    static let gone = ProcessIdentity(pid: getpid(), startTime: alive.startTime &+ 1)

    @Test("a client the carrier found dead is reclaimed, even before a stat pass learnt its process")
    func carrierFoundDead() {
        #expect(TimelineResponder.reclaims(.peerDied("client pid 1 exited"), client: nil))
        #expect(TimelineResponder.reclaims(.peerDied("client pid 1 exited"), client: Self.gone))
    }

    @Test("a client that closed cleanly is not, even when its process exited before its close was read")
    func closedCleanly() {
        #expect(!TimelineResponder.reclaims(.peerClosed, client: Self.gone))
        #expect(!TimelineResponder.reclaims(.peerClosed, client: Self.alive))
    }

    @Test("a connection its session gave up on is reclaimed when its client's process is gone, not while it runs")
    func closedLocally() {
        #expect(TimelineResponder.reclaims(.closedLocally, client: Self.gone))
        #expect(!TimelineResponder.reclaims(.closedLocally, client: Self.alive))
        #expect(!TimelineResponder.reclaims(.closedLocally, client: nil))
    }

    @Test("the server stopping reclaims nobody")
    func shutdown() {
        #expect(!TimelineResponder.reclaims(.shutdown, client: Self.gone))
    }
}

extension ReclaimTests {
    @Test("a `ringside tail` killed with SIGKILL while `ringside load` floods its key is counted within 10 s; the load goes on")
    func killedTailUnderLoad() throws {
        // --max-size keeps the flooded key small: the debug build checks the set's invariants
        // after every write, at a cost that grows with the key.
        try CommandErrorTests.withServer("reclaim", serveArguments: ["--max-size", "64"]) { name, log in
            let load = try EndToEndCommandTests.start(
                ["load", "--name", name, "--producers", "2", "--events", "100000000", "--keys", "1"], into: log)
            defer { load.kill() }
            #expect(eventually(within: .seconds(20)) { CommandErrorTests.channels(of: name).count == 2 }, "\(segments(of: name))")
            // The tail connects during the flood and dies as soon as it printed an event: the
            // server may not have taken a stat pass over its connection yet (a pass learns
            // the client's process).
            let tailLog = log + ".tail"
            defer { try? FileManager.default.removeItem(atPath: tailLog) }
            let tail = try EndToEndCommandTests.start(["tail", "--name", name, "key-00000"], into: tailLog)
            defer { tail.kill() }
            #expect(eventually(within: .seconds(20)) { EndToEndCommandTests.text(tailLog).hasPrefix("insert key-00000 ") },
                    "tail: \(EndToEndCommandTests.text(tailLog)) load: \(EndToEndCommandTests.text(log))")
            tail.kill(SIGKILL)
            let killed = ContinuousClock.now
            var stat = try StatSegmentReader.read(server: name)
            var oldest = 0.0
            #expect(try eventually(within: .seconds(10)) {
                stat = try StatSegmentReader.read(server: name)
                oldest = max(oldest, stat.heartbeatAgeMilliseconds)
                // Both in one read: the counters are stored one by one, so a read can fall
                // between the two stores of one refresh.
                return stat[.reclaimedClients] == 1 && stat[.activeTails] == 0
            }, "reclaimed_clients \(stat[.reclaimedClients]), tails_active \(stat[.activeTails]) after \(ContinuousClock.now - killed)")
            print("reclaimed after \(ContinuousClock.now - killed); stat heartbeat at most \(oldest) ms old")
            let applied = stat[.writesApplied]
            #expect(try eventually(within: .seconds(10)) { try StatSegmentReader.read(server: name)[.writesApplied] > applied },
                    "the load stopped after the tail died: \(EndToEndCommandTests.text(log))")
            #expect(load.poll() == nil, "load: \(EndToEndCommandTests.text(log))")
        }
    }
}
