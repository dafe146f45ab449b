import CRingside
import Glibc
import Harness
import ShmRing
import Synchronization

/// Runs one repetition of a transport case: a fresh segment holding the case's rings and a
/// control block, peer processes pinned to their CPUs and released together, their results
/// read back from the control block. The lab process itself is never pinned.
enum TransportHarness {
    /// A peer to start: its role, its CPU, and its role-specific arguments.
    struct PeerSpec {
        let role: String
        let cpu: Int
        let arguments: [String]
    }

    /// What the peers left in the control block.
    struct Outcome {
        let seconds: Double
        let received: Int64
        let errors: Int64
        let allocations: Int64
        /// Latency figures a peer stored (``TransportControl/storeLatency(_:)``), zero if none.
        let latency: LatencyHistogram.Percentiles
        /// The client peer's CPU time in its timed loop (``TransportControl/clientCPUNanos``), zero if none.
        let clientCPUNanos: Int64
    }

    private static let counter = Atomic<Int>(0)

    /// Creates the segment (one ring region per capacity, then the control region), starts
    /// `peers` with arguments `[NAME, CPU] + arguments`, waits until they are all ready, says
    /// go, waits for them to exit, and returns the control block's figures. The segment is
    /// unlinked and any peer still running is killed, whatever happens.
    static func run(ringCapacities: [Int], peers specs: [PeerSpec]) throws -> Outcome {
        let name = "/ringside-lab-\(getpid())-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        let segment = try SharedMemorySegment.create(
            name: name, regionSizes: ringCapacities.map(RingLayout.regionSize(capacity:)) + [TransportControl.regionSize])
        defer { try? SharedMemorySegment.unlink(name: name) }
        let control = TransportControl(segment.unsafeRegionBytes(ringCapacities.count)!)
        var running: [ChildProcess] = []
        defer { running.forEach { $0.kill() } }
        for spec in specs {
            running.append(try PeerProcess.spawn(role: spec.role, arguments: [name, String(spec.cpu)] + spec.arguments))
        }
        while control.ready.pointee.load(ordering: .acquiring) < Int64(specs.count) {
            if try reapEnded(&running) { throw LabError("a peer exited before it was ready") }
            sched_yield()
        }
        control.go.pointee.store(1, ordering: .releasing)
        // Poll rather than wait on one peer: if any fails, the others would spin forever.
        while !running.isEmpty {
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
            _ = try reapEnded(&running)
        }
        return Outcome(
            seconds: Double(control.endNanos.pointee.load(ordering: .acquiring) - control.startNanos.pointee.load(ordering: .acquiring)) / 1e9,
            received: control.received.pointee.load(ordering: .acquiring),
            errors: control.errors.pointee.load(ordering: .acquiring),
            allocations: control.allocations.pointee.load(ordering: .acquiring),
            latency: control.latency(),
            clientCPUNanos: control.clientCPUNanos.pointee.load(ordering: .acquiring))
    }

    /// Reaps the peers that have exited, removing them from `running`; returns whether any
    /// did, and throws if one failed.
    private static func reapEnded(_ running: inout [ChildProcess]) throws -> Bool {
        var reaped = false
        for peer in running {
            guard let ended = peer.poll() else { continue }
            running.removeAll { $0 === peer }
            reaped = true
            try peer.expectSuccess(ended)
        }
        return reaped
    }

    /// In a peer: opens the segment named by `arguments[0]`, pins to the CPU in `arguments[1]`
    /// (when the machine has more than one), and runs `body` with the segment, its control
    /// block, and the role-specific arguments.
    static func peer(
        _ arguments: [String],
        _ body: (borrowing SharedMemorySegment, TransportControl, [String]) throws -> Void
    ) throws {
        guard arguments.count >= 2, let cpu = Int32(arguments[1]) else { throw LabError("peer needs NAME CPU ...") }
        let segment = try SharedMemorySegment.open(name: arguments[0])
        guard let controlRegion = segment.unsafeRegionBytes(segment.regions.count - 1) else { throw LabError("no control region") }
        if ringside_allowed_cpu_count() > 1 && ringside_pin_to_cpu(cpu) != 0 {
            throw LabError("cannot pin to CPU \(cpu): \(String(cString: strerror(errno)))")
        }
        try body(segment, TransportControl(controlRegion), Array(arguments.dropFirst(2)))
    }

    /// Integer argument `index` of a peer's role-specific arguments.
    static func integer(_ arguments: [String], _ index: Int) throws -> Int {
        guard index < arguments.count, let value = Int(arguments[index]) else {
            throw LabError("peer argument \(index) must be an integer: \(arguments)")
        }
        return value
    }
}
