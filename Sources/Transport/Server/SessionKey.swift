/// A connection's slot in a server: which of its carriers, and the carrier's connection id.
struct SessionKey: Hashable {
    /// The carrier's index in the server's list.
    let carrier: Int
    /// The carrier's id for the connection.
    let connection: ConnectionID

    /// The connection as the responder sees it, unique across the server's carriers: the
    /// carrier's index in the top 8 bits above the carrier's id (carriers number connections
    /// with a serial above a 20-bit slot, so two carriers' ids collide without it).
    var serverWide: ConnectionID {
        ConnectionID(rawValue: UInt64(truncatingIfNeeded: carrier) << 56 | connection.rawValue & (1 << 56 - 1))
    }
}
