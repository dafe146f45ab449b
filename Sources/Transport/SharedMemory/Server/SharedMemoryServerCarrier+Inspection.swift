import ShmRing

/// One client channel as ``SharedMemoryServerCarrier/channelStatus(_:now:)`` reports it for
/// `ringside stat`: who the client is, how far each ring's consumer trails its producer, and
/// how old the client's heartbeat is.
public struct SharedMemoryChannelStatus: Sendable, Equatable {
    /// The client process, as checked at connect.
    public var client: ProcessIdentity
    /// Client → server ring: the client's (producer's) position in bytes.
    public var inboundProducerPosition: Int64
    /// Client → server ring: the server's (consumer's) position.
    public var inboundConsumerPosition: Int64
    /// Server → client ring: the server's (producer's) position.
    public var outboundProducerPosition: Int64
    /// Server → client ring: the client's (consumer's) position.
    public var outboundConsumerPosition: Int64
    /// Nanoseconds since the client last stored its heartbeat (monotonic clock).
    public var clientHeartbeatAge: Int64

    /// Bytes the server has yet to read from the client.
    public var inboundLag: Int64 { inboundProducerPosition &- inboundConsumerPosition }
    /// Bytes the client has yet to read from the server.
    public var outboundLag: Int64 { outboundProducerPosition &- outboundConsumerPosition }
}

extension SharedMemoryServerCarrier {
    /// The state of `connection`'s channel, or nil when it has no channel (any more). Called
    /// on the server's thread, like every other method; it reads the rings' positions and
    /// allocates nothing. `now` is `Sys.monotonicNanoseconds()`.
    public func channelStatus(_ connection: ConnectionID, now: Int64) -> SharedMemoryChannelStatus? {
        guard let channel = channel(connection) else { return nil }
        return SharedMemoryChannelStatus(
            client: channel.client,
            inboundProducerPosition: channel.inbound.producerPosition,
            inboundConsumerPosition: channel.inbound.consumerPosition,
            outboundProducerPosition: channel.outbound.producerPosition,
            outboundConsumerPosition: channel.outbound.consumerPosition,
            clientHeartbeatAge: now &- channel.outbound.consumerHeartbeat)
    }
}
