import Glibc
import Harness
import ShmRing
import Synchronization
import Transport

/// A throughput case of the `transport` suite over the TCP carrier on loopback, the twin of
/// the shm case with the same payload and count: the client (CPU 0) sends each message as
/// one frame (its index in the first 8 bytes) through a ``TCPClientCarrier``, flushing every
/// 64 frames and whenever the queue is full; the server process (CPU 1: its single writer
/// and the carrier's I/O thread) polls the ``TCPServerCarrier``, copies every frame out and
/// checks its index, sleeping on its doorbell when there is nothing. Time runs from the first
/// send to the last frame polled. No raw limit runs beside it (the lab has no socket probe):
/// compare with `../shared/limits/sock_bench.c` (`run.sh`), which sends one message per
/// `send()`.
struct TransportTCPThroughput: Sendable {
    /// The stable case name, e.g. `tcp-32B`.
    let name: String
    /// Bytes per frame (at least 12).
    let payload: Int
    /// Messages per run on defaults.
    let messages: Int

    static let clientRole = "transport-tcp-send"
    static let serverRole = "transport-tcp-receive"
    /// Frames per client flush (one `sendmsg`).
    static let batch = 64

    /// The cases: the shm twins' payloads, a quarter of their counts (TCP moves 4 to 10
    /// times fewer messages a second, so a run still lasts about a second).
    static let cases = [
        TransportTCPThroughput(name: "tcp-32B", payload: 32, messages: 5_000_000),
        TransportTCPThroughput(name: "tcp-4096B", payload: 4096, messages: 500_000),
    ]

    /// Runs the case, recording messages and bytes per second and heap allocations per
    /// message (the client's loop and the server's writer loop).
    func measure(_ context: inout SuiteContext) throws {
        guard context.selects(name) else { return }
        let total = context.scaled(messages, minimum: 1000)
        for _ in context.repetitions(name, detail: "\(total) messages") {
            let outcome = try TransportHarness.run(ringCapacities: [], peers: [
                TransportHarness.PeerSpec(role: Self.serverRole, cpu: 1, arguments: [String(total), String(payload)]),
                TransportHarness.PeerSpec(role: Self.clientRole, cpu: 0, arguments: [String(total), String(payload)]),
            ])
            guard outcome.received == Int64(total), outcome.errors == 0 else {
                throw LabError("\(name): server received \(outcome.received) of \(total) messages, \(outcome.errors) out of order")
            }
            let rate = Double(total) / outcome.seconds
            context.record(case: name, metric: "msgs_per_s", value: rate, unit: "msg/s")
            context.record(case: name, metric: "bytes_per_s", value: rate * Double(payload), unit: "B/s")
            context.record(case: name, metric: "allocs_per_msg", value: Double(outcome.allocations) / Double(total), unit: "allocs")
        }
    }

    /// Peer role: `NAME CPU MESSAGES PAYLOAD` listens on a free loopback port (published in
    /// the control block), then receives MESSAGES frames.
    @Sendable
    static func serverPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let messages = try TransportHarness.integer(arguments, 0)
            let payload = try TransportHarness.integer(arguments, 1)
            let server = try TransportTCPServer()
            defer { server.carrier.shutdown() }
            control.serverPort.pointee.store(Int64(server.carrier.boundAddress.port), ordering: .releasing)
            let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: payload, alignment: 64)
            defer { destination.deallocate() }
            destination.initializeMemory(as: UInt8.self, repeating: 0)
            var received = 0
            var errors = 0
            var checksum: UInt64 = 0
            var expected: UInt64 = 0
            control.arriveAndWait()
            control.countingAllocations {
                while received < messages {
                    server.poll { event in
                        guard case .frame(_, let bytes) = event else { return }
                        received &+= 1
                        guard bytes.count == payload else {
                            errors &+= 1
                            return
                        }
                        destination.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: payload)
                        if destination.load(as: UInt64.self) == expected { expected &+= 1 } else { errors &+= 1 }
                        checksum &+= UInt64(destination[payload - 1])
                    }
                }
            }
            control.endNanos.pointee.store(monotonicNanos(), ordering: .relaxed)
            control.received.pointee.store(Int64(received), ordering: .relaxed)
            control.errors.pointee.store(Int64(errors), ordering: .relaxed)
            control.checksum.pointee.store(Int64(bitPattern: checksum), ordering: .releasing)
        }
    }

    /// Peer role: `NAME CPU MESSAGES PAYLOAD` connects to the server's port and sends
    /// MESSAGES frames.
    @Sendable
    static func clientPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let messages = try TransportHarness.integer(arguments, 0)
            let payload = try TransportHarness.integer(arguments, 1)
            guard payload >= 12 else { throw LabError("payload \(payload) below 12 bytes") }
            var configuration = TCPCarrierConfiguration()
            configuration.outboundCapacity = 1 << 20
            let client = try TCPClientCarrier(connectingTo: try control.awaitTCPServer(), configuration: configuration)
            defer { client.close() }
            client.autoFlush = false
            let source = UnsafeMutableRawBufferPointer.allocate(byteCount: payload, alignment: 64)
            defer { source.deallocate() }
            for index in 0..<payload { source[index] = UInt8(truncatingIfNeeded: index &* 7 &+ 1) }
            let bytes = UnsafeRawBufferPointer(source)
            control.arriveAndWait()
            control.markStart()
            try control.countingAllocations {
                for index in 0..<UInt64(messages) {
                    source.storeBytes(of: index, as: UInt64.self)
                    while try client.send(bytes) == .wouldBlock {
                        try client.waitForWork(timeout: .milliseconds(10))
                    }
                    if index % UInt64(batch) == UInt64(batch - 1) { try client.flush() }
                }
                try client.drain()
            }
        }
    }
}

/// The server side of the TCP cases: a ``TCPServerCarrier`` on a free loopback port and a
/// writer loop that sleeps on the carrier's doorbell when a poll finds nothing (it shares its
/// CPU with the carrier's I/O thread, so it must not spin).
final class TransportTCPServer {
    let bell = ProcessDoorbell()
    let carrier: TCPServerCarrier

    init() throws {
        carrier = try TCPServerCarrier(listeningOn: TCPAddress.loopbackIPv4(port: 0), doorbell: bell.doorbell)
    }

    /// Polls once (up to 256 events) and flushes; when nothing came, announces sleep on the
    /// doorbell, polls again, and sleeps if that finds nothing either.
    @inline(__always)
    func poll(_ handler: (CarrierEvent) -> Void) {
        if carrier.poll(limit: 256, handler) == 0 {
            let ticket = bell.doorbell.prepareToSleep()
            if carrier.poll(limit: 256, handler) == 0 {
                bell.doorbell.sleep(ticket, timeout: .milliseconds(100))
            } else {
                bell.doorbell.cancelSleep()
            }
        }
        carrier.flush()
    }
}

extension TCPClientCarrier {
    /// Writes out everything queued, waiting for room as needed (the end of a timed loop).
    func drain() throws {
        try flush()
        while hasQueuedOutput {
            try waitForWork(timeout: .milliseconds(10))
            try flush()
        }
    }
}

extension TransportControl {
    /// Waits (at most 10 s) for the server peer to publish its port: its loopback address.
    func awaitTCPServer() throws -> TCPAddress {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let port = serverPort.pointee.load(ordering: .acquiring)
            if port != 0 { return TCPAddress.loopbackIPv4(port: UInt16(port)) }
            usleep(1000)
        }
        throw LabError("the TCP server peer published no port within 10 s")
    }
}
