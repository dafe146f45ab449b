import Foundation
import Glibc
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Transport

/// The handshake against a server that shuts down while a client connects: the client is
/// told the server is gone, not that the server broke the protocol.
@Suite("Shared-memory handshake racing a shutdown")
struct SharedMemoryHandshakeRaceTests {
    @Test("a channel the server closed before the client saw it accepted: serverGone with the server's reason; nothing is left")
    func closedWhileConnecting() throws {
        let name = ShmTest.uniqueName("race")
        defer { ShmTest.removeAll(name) }
        // A server that is never polled: this test answers the connect request itself.
        let server = try SharedMemoryServerCarrier(configuration: ShmTest.server(name))
        defer { server.shutdown() }
        let outcome = Mutex<Result<Void, TransportError>?>(nil)
        Thread {
            let result: Result<Void, TransportError>
            do throws(TransportError) {
                let client = try SharedMemoryClientCarrier(configuration: .init(name: name, connectTimeout: .seconds(10)))
                client.close()
                result = .success(())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
        }.start()
        // The client's channel exists and its request is in the connect ring.
        var channelName: String?
        #expect(ShmTest.eventually(within: .seconds(10)) {
            channelName = ShmTest.leftovers(name).first { $0.contains("-ch-") }
            return channelName != nil && server.connectRing.occupiedBytes != 0
        })
        let segment = try SharedMemorySegment.open(name: try #require(channelName))
        let block = ChannelBlock(unsafeBase: try #require(segment.unsafeRegionBytes(0)?.baseAddress))
        // What a client finds that slept through the accept of a server then shutting down
        // (announceClose: the reason, then the state, then the doorbell).
        block.setReason("server shut down")
        #expect(block.transition(from: .pending, to: .closedByServer))
        block.doorbell.ring()
        #expect(ShmTest.eventually(within: .seconds(10)) { outcome.withLock { $0 != nil } })
        switch outcome.withLock({ $0 }) {
        case .failure(.serverGone(let why)):
            #expect(why == "server '\(name)' closed the connection while it was being set up: server shut down")
        case let other:
            Issue.record("expected serverGone, got \(String(describing: other))")
        }
        #expect(ShmTest.leftovers(name) == ["/\(name)-ctl"])
    }
}
