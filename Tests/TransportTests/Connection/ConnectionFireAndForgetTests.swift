import Dispatch
import Frames
import Posix
import Synchronization
import Testing
@testable import Transport

/// Fire-and-forget over shared memory, written straight into the ring's records
/// (`Connection.fireAndForget(dataCount:encode:)`), and through the connection's scratch
/// buffer when the ring is full.
@Suite(.serialized) struct ConnectionFireAndForgetTests {
    /// The data of the `index`-th fire-and-forget: 4 to 32 bytes, each naming the index.
    static func data(_ index: Int) -> [UInt8] {
        (0 ..< 4 + index % 29).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }
    }

    @Test("fire-and-forgets written in place arrive whole, in order, on odd rising stream ids, past a full ring too", .timeLimit(.minutes(1)))
    func inPlaceAndPastAFullRing() throws {
        let name = ShmTest.uniqueName("fnf-in-place")
        defer { ShmTest.removeAll(name) }
        let frames = Mutex<[[UInt8]]>([])
        let server = try TestServer(ShmTest.server(name, capacity: 4096), onFrame: { _, bytes, _ in
            frames.withLock { $0.append(Array(bytes)) }
        })
        defer { server.stop() }
        let connection = try Connection(carrier: SharedMemoryClientCarrier(configuration: .init(name: name)))
        defer { connection.close() }
        #expect(server.waitUntil { $0.frames.values.reduce(0, +) == 1 })  // the SETUP
        // The server stops polling: the 4 kB ring fills (300 frames of 10 to 38 bytes fill it
        // about twice), and the sender waits with its frame in the scratch buffer.
        let paused = Atomic<Bool>(true)
        server.perform { _ in while paused.load(ordering: .acquiring) { try? Sys.sleep(for: .milliseconds(1)) } }
        let count = 300
        let failure = Mutex<TransportError?>(nil)
        let sent = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do throws(TransportError) {
                for index in 0 ..< count {
                    let data = Self.data(index)
                    try connection.fireAndForget(dataCount: data.count) { buffer in buffer.copyBytes(from: data) }
                }
            } catch {
                failure.withLock { $0 = error }
            }
            sent.signal()
        }
        try Sys.sleep(for: .milliseconds(100))
        #expect(frames.withLock { $0.count } == 1, "nothing arrives while the server is paused")
        paused.store(false, ordering: .releasing)
        #expect(sent.wait(timeout: .now() + .seconds(20)) == .success)
        #expect(failure.withLock { $0 } == nil)
        #expect(server.waitUntil { $0.frames.values.reduce(0, +) >= count + 1 })

        var payloads: [[UInt8]] = []
        var ids: [UInt32] = []
        for frame in frames.withLock({ $0 }) {
            try frame.withUnsafeBytes { raw in
                let reader = try FrameReader(validating: raw)
                guard reader.type == .requestFireAndForget else { return }
                payloads.append(Array(reader.unsafeData))
                ids.append(reader.streamID)
            }
        }
        #expect(payloads == (0 ..< count).map(Self.data))
        #expect(ids.allSatisfy { $0 % 2 == 1 })
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
    }
}
