import Glibc
import ShmRing
import Synchronization
@testable import Transport

extension CarrierFactory {
    /// Names for matrix servers: `shmmatrix-PID-N`.
    private static let shmCounter = Atomic<Int>(0)

    /// The shared-memory carrier: rings of the smallest power of two that takes
    /// `maxFrameLength` in one record (capacity / 8), a server name of its own per fixture.
    static let shm = CarrierFactory(name: "shm") { maxFrameLength in
        let name = "shmmatrix-\(getpid())-\(shmCounter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        var capacity = RingLayout.minimumCapacity
        while capacity / 8 < maxFrameLength { capacity *= 2 }
        let carrier = try SharedMemoryServerCarrier(configuration: SharedMemoryServerConfiguration(
            name: name, maxClients: 16, clientToServerCapacity: capacity, serverToClientCapacity: capacity))
        return CarrierFixture(carrier: carrier, doorbell: carrier.doorbell, doorbellOwner: nil) {
            try SharedMemoryClientCarrier(configuration: SharedMemoryClientConfiguration(name: name))
        }
    }
}
