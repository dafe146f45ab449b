import Foundation
import Harness
import Synchronization
import Testing
@testable import Transport

/// The shared-memory carrier's hot path allocates nothing: both sides driven from one thread
/// once connected.
@Suite("Shared-memory carrier allocations")
struct SharedMemoryAllocationTests {
    @Test(
        "steady-state send, poll, flush and receive allocate nothing",
        .enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
    func noAllocations() throws {
        let name = ShmTest.uniqueName("allocs")
        defer { ShmTest.removeAll(name) }
        var configuration = ShmTest.server(name)
        configuration.livenessInterval = .seconds(1)  // the periodic pass (it reads /proc) stays out of the window
        let server = try SharedMemoryServerCarrier(configuration: configuration)
        defer { server.shutdown() }
        var id: ConnectionID?
        let client = try ShmTest.connect(name, polling: server) { if case .opened(let opened, _) = $0 { id = opened } }
        #expect(id == client.connectionID)
        defer { client.close() }

        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
        defer { payload.deallocate() }
        payload.initializeMemory(as: UInt8.self, repeating: 5)
        var serverBytes = 0
        var clientBytes = 0
        let round = {
            _ = try client.send(UnsafeRawBufferPointer(payload))
            _ = server.poll(limit: 16) { event in
                if case .frame(let from, let bytes) = event {
                    serverBytes &+= bytes.count
                    _ = server.send(bytes, to: from)
                }
            }
            server.flush()
            _ = try client.receive(limit: 16) { clientBytes &+= $0.count }
        }
        // The warm-up run absorbs first-use allocations (lazy metadata), not steady state.
        let measured = try AllocationMeasurement(runs: 2_000) { try round() }
        #expect(measured.total.mallocs == 0)
        #expect(serverBytes == 2_001 * 32)
        #expect(clientBytes == 2_001 * 32)
    }
}
