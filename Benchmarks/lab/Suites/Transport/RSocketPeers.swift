import Glibc
import Harness
import LabKit
import ShmRing
import Synchronization
import Transport

/// The two peer roles of the RSocket cases. Both get `NAME CPU CARRIER INTERACTION SERVER
/// WARMUP TIMED` (SERVER: the shared-memory server's name).
extension RSocketCase {
    /// The parsed role arguments.
    private struct PeerArguments {
        let carrier: Carrier
        let interaction: Interaction
        let server: String
        let warmup: Int
        let timed: Int

        init(_ arguments: [String]) throws {
            guard arguments.count >= 5, let carrier = Carrier(rawValue: arguments[0]),
                  let interaction = Interaction(rawValue: arguments[1]) else {
                throw LabError("rsocket peer needs CARRIER INTERACTION SERVER WARMUP TIMED: \(arguments)")
            }
            self.carrier = carrier
            self.interaction = interaction
            server = arguments[2]
            warmup = try TransportHarness.integer(arguments, 3)
            timed = try TransportHarness.integer(arguments, 4)
        }
    }

    /// Peer role: runs a `TransportServer` over the carrier until the client's frames are all
    /// in, then reports the end time, the count and the poll thread's allocations.
    @Sendable
    static func serverPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let setup = try PeerArguments(arguments)
            let counts = RSocketServerCounts()
            let expected = setup.warmup + setup.timed
            let responder = RSocketLabResponder(counts: counts, warmup: setup.warmup, expected: expected)
            let server: TransportServer
            switch setup.carrier {
            case .shm:
                let carrier = try SharedMemoryServerCarrier(configuration: .init(name: setup.server))
                server = try TransportServer(carriers: [carrier], responder: responder, doorbell: carrier.doorbell)
            case .tcp:
                let bell = ProcessDoorbell()
                let carrier = try TCPServerCarrier(listeningOn: .loopbackIPv4(port: 0), doorbell: bell.doorbell)
                control.serverPort.pointee.store(Int64(carrier.boundAddress.port), ordering: .releasing)
                server = try TransportServer(carriers: [carrier], responder: responder, processDoorbell: bell)
            }
            defer { server.stop() }
            control.arriveAndWait()
            let deadline = ContinuousClock.now + .seconds(300)
            while counts.frames.load(ordering: .acquiring) < expected {
                guard ContinuousClock.now < deadline else { throw LabError("rsocket server: \(counts.frames.load(ordering: .relaxed)) of \(expected) frames") }
                var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
                nanosleep(&pause, nil)
            }
            control.endNanos.pointee.store(counts.endNanos.load(ordering: .relaxed), ordering: .relaxed)
            control.errors.pointee.wrappingAdd(Int64(counts.errors.load(ordering: .relaxed)), ordering: .relaxed)
            let allocations = counts.allocationsAtEnd.load(ordering: .relaxed) &- counts.allocationsAtStart.load(ordering: .relaxed)
            control.allocations.pointee.wrappingAdd(Int64(allocations), ordering: .relaxed)
            control.received.pointee.store(Int64(expected), ordering: .releasing)
        }
    }

    /// Peer role: connects a `Connection` and sends the frames or round trips.
    @Sendable
    static func clientPeer(_ arguments: [String]) throws {
        try TransportHarness.peer(arguments) { _, control, arguments in
            let setup = try PeerArguments(arguments)
            control.arriveAndWait()
            let carrier: any ClientCarrier
            switch setup.carrier {
            case .shm:
                carrier = try SharedMemoryClientCarrier(configuration: .init(name: setup.server))
            case .tcp:
                carrier = try TCPClientCarrier(connectingTo: .loopbackIPv4(port: UInt16(control.serverPort.pointee.load(ordering: .acquiring))))
            }
            let connection = try Connection(carrier: carrier, configuration: ConnectionConfiguration(dataMIMEType: "application/octet-stream"))
            defer { connection.close() }
            let source = UnsafeMutableRawBufferPointer.allocate(byteCount: payload, alignment: 64)
            defer { source.deallocate() }
            source.initializeMemory(as: UInt8.self, repeating: 7)
            let bytes = UnsafeRawBufferPointer(source)
            switch setup.interaction {
            case .fireAndForget:
                for _ in 0..<setup.warmup { try connection.fireAndForget(data: bytes) }
                control.markStart()
                let cpuStart = TransportControl.threadCPUNanos()
                try control.countingAllocations {
                    for _ in 0..<setup.timed { try connection.fireAndForget(data: bytes) }
                }
                control.clientCPUNanos.pointee.store(TransportControl.threadCPUNanos() &- cpuStart, ordering: .relaxed)
                // Stay connected until the server has every frame.
                let deadline = ContinuousClock.now + .seconds(300)
                while control.received.pointee.load(ordering: .acquiring) < Int64(setup.timed), ContinuousClock.now < deadline {
                    var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
                    nanosleep(&pause, nil)
                }
            case .requestResponse:
                try roundTrips(connection, bytes, warmup: setup.warmup, timed: setup.timed, control)
            }
        }
    }

    /// The timed round trips; their histogram goes to the control block.
    private static func roundTrips(
        _ connection: Connection, _ bytes: UnsafeRawBufferPointer, warmup: Int, timed: Int, _ control: TransportControl
    ) throws {
        var histogram = LatencyHistogram()  // its buckets made (and touched) before timing
        var errors = 0
        for _ in 0..<warmup {
            if try connection.requestResponse(data: bytes, { $0.unsafeData.count }) != payload { errors += 1 }
        }
        try control.countingAllocations {
            for _ in 0..<timed {
                let start = monotonicNanos()
                let length = try connection.requestResponse(data: bytes) { $0.unsafeData.count }
                histogram.record(monotonicNanos() &- start)
                if length != payload { errors &+= 1 }
            }
        }
        control.storeLatency(histogram.percentiles)
        control.errors.pointee.wrappingAdd(Int64(errors), ordering: .relaxed)
    }
}
