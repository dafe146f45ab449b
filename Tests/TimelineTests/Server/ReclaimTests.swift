import Glibc
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
