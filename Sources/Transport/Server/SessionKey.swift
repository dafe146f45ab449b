/// A connection's slot in a server: which of its carriers, and the carrier's connection id.
struct SessionKey: Hashable {
    /// The carrier's index in the server's list.
    let carrier: Int
    /// The carrier's id for the connection.
    let connection: ConnectionID
}
