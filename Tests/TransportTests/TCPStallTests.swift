import Foundation
import Frames
import Glibc
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Transport

extension TCPTests {
    /// Request-responses over TCP are answered within seconds: while another connection floods
    /// the server with fire-and-forget frames faster than its writer consumes them, and when
    /// many are pipelined on one connection.
    @Suite("TCP carrier: no stalls", .serialized)
    struct Stalls {
        /// Echoes request-responses at once; spends `fireAndForgetCost` on each fire-and-forget,
        /// so a flooding peer keeps the inbound ring full.
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
                output.next(payload.data, metadata: payload.metadata)
            }
        }

        /// A count shared between the server's thread and the test.
        final class Counter: Sendable {
            let value = Atomic<Int>(0)
        }

        /// A stop flag shared between the flooding thread and the test.
        final class StopFlag: Sendable {
            let value = Atomic<Bool>(false)
        }

        /// A TCP server with a ``SlowResponder``.
        static func server(
            fireAndForgetCost: Duration, fireAndForgets: Counter, configuration: TCPCarrierConfiguration = TCPCarrierConfiguration()
        ) throws -> (TransportServer, TCPAddress) {
            let bell = ProcessDoorbell()
            let carrier = try TCPServerCarrier(listeningOn: .loopbackIPv4(port: 0), doorbell: bell.doorbell, configuration: configuration)
            let address = carrier.boundAddress
            let server = try TransportServer(
                carriers: [carrier], responder: SlowResponder(fireAndForgetCost: fireAndForgetCost, fireAndForgets: fireAndForgets),
                processDoorbell: bell)
            return (server, address)
        }

        /// The bytes a flooding peer writes over and over: 256 fire-and-forget frames of 40
        /// bytes of data, each behind its u24 length.
        static func floodChunk() -> [UInt8] {
            let frame = Wire.fnf(1, String(repeating: "f", count: 40))
            let prefixed = [UInt8(frame.count >> 16), UInt8(frame.count >> 8 & 0xFF), UInt8(frame.count & 0xFF)] + frame
            return Array(Array(repeating: prefixed, count: 256).joined())
        }

        @Test("while a peer floods fire-and-forget faster than the writer consumes, another connection's request-responses are answered within seconds")
        func floodDoesNotStallRequestResponse() throws {
            let fireAndForgets = Counter()
            let cost = ProcessInfo.processInfo.environment["DIAG_COST_NS"].flatMap(Int64.init) ?? 2_000
            let (server, address) = try Self.server(fireAndForgetCost: .nanoseconds(cost), fireAndForgets: fireAndForgets)
            defer { server.stop() }
            let stop = StopFlag()
            let flooding = DispatchSemaphore(value: 0)
            let useConnection = ProcessInfo.processInfo.environment["DIAG_CONN"] != nil
            let flooder = try TCPSocket.connect(to: address, timeout: .seconds(5))
            let floodConnection = useConnection ? try Connection(
                carrier: TCPClientCarrier(connectingTo: address),
                configuration: ConnectionConfiguration(dataMIMEType: "application/json", requestTimeout: .seconds(10))) : nil
            let setup = Wire.setup()
            try writeAll(flooder, [UInt8(setup.count >> 16), UInt8(setup.count >> 8 & 0xFF), UInt8(setup.count & 0xFF)] + setup)
            let chunk = Self.floodChunk()
            Thread.detachNewThread {
                // Bounded: the test stops it, and it gives up by itself after 20 s.
                let deadline = ContinuousClock.now + .seconds(20)
                let data = [UInt8](repeating: 7, count: 38)
                while !stop.value.load(ordering: .relaxed), ContinuousClock.now < deadline {
                    if let floodConnection {
                        do { try data.withUnsafeBytes { try floodConnection.fireAndForget(data: $0) } } catch { break }
                        continue
                    }
                    do { try writeAll(flooder, chunk) } catch { break }
                    if let pause = ProcessInfo.processInfo.environment["DIAG_PAUSE_US"].flatMap(Int32.init), pause > 0 {
                        usleep(UInt32(Int32.random(in: 0...pause)))
                    }
                }
                flooding.signal()
            }
            defer {
                stop.value.store(true, ordering: .relaxed)
                flooding.wait()
                TCPSocket.closeQuietly(flooder)
                floodConnection?.close()
            }
            // The flood is arriving before the other connection starts asking.
            let warmUp = ContinuousClock.now + .seconds(5)
            while fireAndForgets.value.load(ordering: .relaxed) < 10_000, ContinuousClock.now < warmUp { usleep(1_000) }
            #expect(fireAndForgets.value.load(ordering: .relaxed) >= 10_000)

            let connection = try Connection(
                carrier: TCPClientCarrier(connectingTo: address),
                configuration: ConnectionConfiguration(dataMIMEType: "application/json", requestTimeout: .seconds(4)))
            defer { connection.close() }
            var slowest = Duration.zero
            let end = ContinuousClock.now + .seconds(2)
            var index = 0
            while ContinuousClock.now < end {
                let request = Array("ask-\(index)".utf8)
                let started = ContinuousClock.now
                let answer = try request.withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.data) } }
                slowest = max(slowest, ContinuousClock.now - started)
                #expect(answer == request)
                index += 1
            }
            print("DIAG flood: \(index) answers, slowest \(slowest), fnf \(fireAndForgets.value.load(ordering: .relaxed))")
            #expect(slowest < .seconds(3), "the slowest of \(index) answers took \(slowest)")
        }

        @Test("many asynchronous request-responses in flight on one connection are all answered within a deadline")
        func pipelinedAsyncRequestResponses() async throws {
            let (server, address) = try Self.server(fireAndForgetCost: .zero, fireAndForgets: Counter())
            defer { server.stop() }
            let connection = try Connection(
                carrier: TCPClientCarrier(connectingTo: address),
                configuration: ConnectionConfiguration(dataMIMEType: "application/json", requestTimeout: .seconds(4)))
            defer { connection.close() }
            let (total, window) = (4_000, 64)
            let started = ContinuousClock.now
            let answered = try await withThrowingTaskGroup(of: Duration.self, returning: (Int, Duration).self) { group in
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
            print("DIAG pipelined: \(answered.0) answers, slowest \(answered.1), total \(ContinuousClock.now - started)")
            #expect(answered.0 == total)
            #expect(answered.1 < .seconds(2), "the slowest answer took \(answered.1)")
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }
}
