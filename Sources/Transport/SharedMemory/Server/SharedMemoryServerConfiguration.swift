import ShmRing

/// How a ``SharedMemoryServerCarrier`` is sized and named.
public struct SharedMemoryServerConfiguration: Sendable, Equatable {
    /// The server's name (`--name`): its control segment is `/NAME-ctl`.
    public var name: String
    /// The most clients connected at once (1 to 1,048,576).
    public var maxClients: Int
    /// Bytes of records in each client → server ring (a power of two, 128 bytes to 1 GiB).
    public var clientToServerCapacity: Int
    /// Bytes of records in each server → client ring; ``SharedMemoryServerCarrier/maxFrameLength``
    /// is an eighth of it.
    public var serverToClientCapacity: Int
    /// Bytes of records in the connect ring (a power of two, at least 4 KiB).
    public var connectRingCapacity: Int
    /// How often the server checks that its clients live (and how long it may sleep).
    public var livenessInterval: Duration

    /// A configuration; the defaults serve up to 128 clients with 1 MiB rings each way.
    public init(name: String = "ringside", maxClients: Int = 128,
                clientToServerCapacity: Int = 1 << 20, serverToClientCapacity: Int = 1 << 20,
                connectRingCapacity: Int = 64 * 1024, livenessInterval: Duration = .milliseconds(100)) {
        self.name = name
        self.maxClients = maxClients
        self.clientToServerCapacity = clientToServerCapacity
        self.serverToClientCapacity = serverToClientCapacity
        self.connectRingCapacity = connectRingCapacity
        self.livenessInterval = livenessInterval
    }

    /// The largest `maxClients` (connection ids keep the slot in 20 bits).
    static let slotBits = 20

    /// Throws the first setting that cannot work.
    func validate() throws(TransportError) {
        guard (1...(1 << Self.slotBits)).contains(maxClients) else {
            throw .invalidArgument("maxClients \(maxClients); 1 to \(1 << Self.slotBits) allowed")
        }
        for (field, capacity) in [("clientToServerCapacity", clientToServerCapacity), ("serverToClientCapacity", serverToClientCapacity)] {
            guard Self.isRingCapacity(capacity) else {
                throw .invalidArgument("\(field) \(capacity); a power of two from \(RingLayout.minimumCapacity) to \(RingLayout.maximumCapacity)")
            }
        }
        guard Self.isRingCapacity(connectRingCapacity), connectRingCapacity >= 4096 else {
            throw .invalidArgument("connectRingCapacity \(connectRingCapacity); a power of two of at least 4096")
        }
        guard livenessInterval > .zero, livenessInterval <= .seconds(1) else {
            throw .invalidArgument("livenessInterval \(livenessInterval); above zero and at most 1 s")
        }
    }

    /// Whether `capacity` is a ring capacity ShmRing accepts.
    static func isRingCapacity<T: BinaryInteger>(_ capacity: T) -> Bool {
        capacity >= RingLayout.minimumCapacity && capacity <= RingLayout.maximumCapacity && capacity & (capacity - 1) == 0
    }
}
