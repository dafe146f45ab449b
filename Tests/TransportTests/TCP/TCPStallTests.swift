import Foundation
import Frames
import Glibc
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Transport

extension TCPTests {
    /// Request-responses over TCP through a whole server are answered within seconds: while
    /// another connection floods it with fire-and-forget frames faster than its writer
    /// consumes them, and when many are pipelined on one connection.
    @Suite("TCP carrier: no stalls", .serialized)
    struct Stalls {
        /// Echoes request-responses at once; spends `fireAndForgetCost` on each fire-and-forget,
        /// so that a flooding peer keeps the inbound ring full.
        final class SlowResponder: Responder {
            let fireAndForgetCost: Duration
            let fireAndForgets: Counter

            init(fireAndForgetCost: Duration, fireAndForgets: Counter) {
                self.fireAndForgetCost = fireAndForgetCost
                self.fireAndForgets = fireAndForgets
            }

            func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {
                fireAndForgets.value.add(1, ordering: .relaxed)
                let until = ContinuousClock.now + fireAndForgetCost
                while ContinuousClock.now < until {}
            }

            func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
                output.next(payload.unsafeData, metadata: payload.unsafeMetadata)
            }
        }

        /// A count the server's thread keeps and the test reads.
        final class Counter: Sendable {
            let value = Atomic<Int>(0)
        }

        /// A stop flag the flooding thread and the test share.
        final class StopFlag: Sendable {
            let value = Atomic<Bool>(false)
        }

        /// A TCP server on loopback with a ``SlowResponder``, and its address. Its inbound ring
        /// is by default 256 KiB (4,096 small records; read buffers of 16 KiB fit it): a request-response
        /// waits behind at most that much of a flood, tens of milliseconds of the writer's time
        /// even on busy cores.
        static func server(
            fireAndForgetCost: Duration, fireAndForgets: Counter, configuration: TCPCarrierConfiguration = smallRing
        ) throws -> (TransportServer, TCPAddress) {
            let bell = ProcessDoorbell()
            let carrier = try TCPServerCarrier(listeningOn: .loopbackIPv4(port: 0), doorbell: bell.doorbell, configuration: configuration)
            let address = carrier.boundAddress
            let server = try TransportServer(
                carriers: [carrier], responder: SlowResponder(fireAndForgetCost: fireAndForgetCost, fireAndForgets: fireAndForgets),
                processDoorbell: bell)
            return (server, address)
        }

        /// The carrier configuration of ``server(fireAndForgetCost:fireAndForgets:configuration:)``
        /// by default.
        static var smallRing: TCPCarrierConfiguration {
            var configuration = TCPCarrierConfiguration()
            configuration.inboundCapacity = 1 << 18
            configuration.readBufferSize = 1 << 14
            return configuration
        }

        /// A connection to `address` with short timeouts.
        static func connect(_ address: TCPAddress) throws -> Connection {
            try Connection(
                carrier: TCPClientCarrier(connectingTo: address),
                configuration: ConnectionConfiguration(dataMIMEType: "application/json", requestTimeout: .seconds(10)))
        }

        @Test("while a peer floods fire-and-forget faster than the writer consumes, another connection's request-responses are answered within seconds")
        func floodDoesNotStallRequestResponse() throws {
            let fireAndForgets = Counter()
            let (server, address) = try Self.server(fireAndForgetCost: .microseconds(2), fireAndForgets: fireAndForgets)
            defer { server.stop() }
            let (asked, slowest) = try Self.askDuringFlood(address, fireAndForgets: fireAndForgets, warmUp: 10_000, asking: .milliseconds(1_500))
            #expect(asked > 0)
            #expect(slowest < .seconds(3), "the slowest of \(asked) answers took \(slowest)")
        }

        @Test("while a peer floods fire-and-forget into a 2 MiB inbound ring, many seconds of the writer's work, each of the request-responses on another connection is answered within seconds: the peer keeps to its share of the ring")
        func floodKeepsToItsShare() throws {
            let fireAndForgets = Counter()
            // The default ring, 2 MiB: 32,768 of the flood's 64-byte records, 16 s of a writer
            // that takes 500 us per fire-and-forget. The peer's share, 32 KiB (reads never
            // take more): under 0.3 s of it.
            var configuration = TCPCarrierConfiguration()
            configuration.readBufferSize = 1 << 14
            configuration.inboundShare = 1 << 15
            let (server, address) = try Self.server(
                fireAndForgetCost: .microseconds(500), fireAndForgets: fireAndForgets, configuration: configuration)
            defer { server.stop() }
            let (asked, slowest) = try Self.askDuringFlood(address, fireAndForgets: fireAndForgets, warmUp: 500, asking: .seconds(4))
            // Behind a whole ring, the first answer alone would take 16 s (past the 10 s
            // request timeout); behind the share, well under a second, and a few seconds on
            // very busy cores.
            #expect(asked >= 2, "\(asked) answers in 4 s, the slowest took \(slowest)")
            #expect(slowest < .seconds(5), "the slowest of \(asked) answers took \(slowest)")
        }

        /// Floods `address` with fire-and-forget frames from one connection (as `ringside
        /// load-producer` sends: one frame per write) and, once `warmUp` of them were consumed,
        /// asks request-responses one after another on another connection for `asking`.
        /// Returns how many were answered and the slowest answer.
        static func askDuringFlood(
            _ address: TCPAddress, fireAndForgets: Counter, warmUp: Int, asking: Duration
        ) throws -> (asked: Int, slowest: Duration) {
            let flooder = try Self.connect(address)
            let stop = StopFlag()
            let flooding = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                // Bounded: the test stops it, and it gives up by itself after 20 s.
                let deadline = ContinuousClock.now + .seconds(20)
                let data = [UInt8](repeating: 7, count: 38)
                while !stop.value.load(ordering: .relaxed), ContinuousClock.now < deadline {
                    do { try data.withUnsafeBytes { try flooder.fireAndForget(data: $0) } } catch { break }
                }
                flooding.signal()
            }
            defer {
                stop.value.store(true, ordering: .relaxed)
                flooding.wait()
                flooder.close()
            }
            // The flood is arriving before the other connection starts asking.
            let warmUpEnd = ContinuousClock.now + .seconds(5)
            while fireAndForgets.value.load(ordering: .relaxed) < warmUp, ContinuousClock.now < warmUpEnd { usleep(1_000) }
            #expect(fireAndForgets.value.load(ordering: .relaxed) >= warmUp)

            let connection = try Self.connect(address)
            defer { connection.close() }
            var slowest = Duration.zero
            var asked = 0
            let end = ContinuousClock.now + asking
            while ContinuousClock.now < end {
                let request = Array("ask-\(asked)".utf8)
                let started = ContinuousClock.now
                let answer = try request.withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
                slowest = max(slowest, ContinuousClock.now - started)
                #expect(answer == request)
                asked += 1
            }
            return (asked, slowest)
        }

        @Test("many asynchronous request-responses in flight on one connection are all answered within a deadline")
        func pipelinedAsyncRequestResponses() async throws {
            let (server, address) = try Self.server(fireAndForgetCost: .zero, fireAndForgets: Counter())
            defer { server.stop() }
            let connection = try Self.connect(address)
            defer { connection.close() }
            let (total, window) = (4_000, 64)
            let started = ContinuousClock.now
            let (answered, slowest) = try await withThrowingTaskGroup(of: Duration.self, returning: (Int, Duration).self) { group in
                func ask(_ index: Int) {
                    group.addTask {
                        let request = Array("pipelined-\(index)".utf8)
                        let asked = ContinuousClock.now
                        let answer = try await connection.requestResponse(data: request)
                        #expect(answer.data == request)
                        return ContinuousClock.now - asked
                    }
                }
                var sent = 0
                while sent < window {
                    ask(sent)
                    sent += 1
                }
                var answered = 0
                var slowest = Duration.zero
                while let took = try await group.next() {
                    answered += 1
                    slowest = max(slowest, took)
                    if sent < total {
                        ask(sent)
                        sent += 1
                    }
                }
                return (answered, slowest)
            }
            #expect(answered == total)
            #expect(slowest < .seconds(3), "the slowest answer took \(slowest)")
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }
}
