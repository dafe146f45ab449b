import Foundation
import Harness
import Synchronization
import Testing
@testable import Transport

/// The periodic liveness passes of both shared-memory sides allocate nothing: they run on
/// steady-state paths (a spinning client's empty receives, every server poll), so a pass that
/// read `/proc/PID/stat` into a `String` path and an `Array` showed up as allocations per frame.
@Suite("Shared-memory liveness allocations")
struct SharedMemoryLivenessAllocationTests {
    @Test(
        "client and server liveness passes, every millisecond, allocate nothing optimised (a bounded few unoptimised)",
        .enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
    func livenessPassesAllocateNothing() throws {
        let name = ShmTest.uniqueName("liveallocs")
        defer { ShmTest.removeAll(name) }
        var configuration = ShmTest.server(name)
        configuration.livenessInterval = .milliseconds(1)
        let server = try SharedMemoryServerCarrier(configuration: configuration)
        defer { server.shutdown() }
        let connected = Mutex<SharedMemoryClientCarrier?>(nil)
        let failed = Mutex<String?>(nil)
        Thread {
            do {
                let client = try SharedMemoryClientCarrier(configuration: .init(name: name, livenessInterval: .milliseconds(1)))
                connected.withLock { $0 = client }
            } catch {
                failed.withLock { $0 = "\(error)" }
            }
        }.start()
        #expect(ShmTest.eventually(within: .seconds(10)) {
            _ = server.poll(limit: 8) { _ in }
            return connected.withLock { $0 != nil } || failed.withLock { $0 != nil }
        })
        let client = try #require(connected.withLock { $0 })
        defer { client.close() }

        // Empty polls and receives for a while: each side's pass is due every millisecond.
        let spell = {
            let end = ContinuousClock.now + .milliseconds(30)
            while ContinuousClock.now < end {
                _ = server.poll(limit: 16) { _ in }
                _ = try client.receive(limit: 16) { _ in }
            }
        }
        try spell()  // first-use allocations (lazy metadata) stay out of the measurement
        let heartbeat = client.inbound.consumerHeartbeat
        let nextLiveness = server.pollState.nextLiveness
        let before = AllocationCounts.current.mallocs
        try spell()
        let allocations = AllocationCounts.current.mallocs &- before
        #if DEBUG
        // Unoptimised, the system-call layer's generic code allocates a little per call (4
        // calls a pass); the old pass allocated hundreds (a String path, an Array, a split).
        // At most 2 passes a millisecond over the 30 ms spell, 8 allocations each at most.
        #expect(allocations <= 2 * 30 * 8)
        #else
        #expect(allocations == 0)
        #endif
        // The passes did run inside the measured spell.
        #expect(client.inbound.consumerHeartbeat > heartbeat)
        #expect(server.pollState.nextLiveness > nextLiveness)
    }
}
