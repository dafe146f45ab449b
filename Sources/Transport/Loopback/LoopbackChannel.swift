import ShmRing
import Synchronization

/// One loopback connection: a bounded frame queue each way, who closed it, and the client's
/// doorbell. Shared by the two carriers (both ends take its mutex, in process memory).
final class LoopbackChannel: Sendable {
    /// The state both ends change.
    struct State: ~Copyable {
        /// Client to server.
        var inbound: LoopbackQueue
        /// Server to client.
        var outbound: LoopbackQueue
        /// The client closed its end.
        var clientClosed = false
        /// The server closed its end (or shut down).
        var serverClosed = false
    }

    /// The server's id for the connection.
    let id: ConnectionID
    /// The queues and flags.
    let state: Mutex<State>
    /// What the server rings when it sent the client something.
    let clientBell = ProcessDoorbell()
    /// What the client rings when it sent the server something.
    let serverBell: Doorbell

    init(id: ConnectionID, queueBytes: Int, serverBell: Doorbell) {
        self.id = id
        self.serverBell = serverBell
        state = Mutex(State(inbound: LoopbackQueue(capacity: queueBytes), outbound: LoopbackQueue(capacity: queueBytes)))
    }
}

/// A frame's bytes carried into a mutex-guarded closure that only copies them out before it
/// returns. @unchecked Sendable: the bytes are read during the call and never kept.
struct BorrowedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}
