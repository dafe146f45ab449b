import Dispatch
import Synchronization
import Testing
@testable import Transport

/// Cancelling the task that waits on a request-stream while the stream's items keep arriving.
@Suite(.serialized) struct ConnectionCancelTests {
    /// Rounds done, counted by the scenario's task and read by the test.
    final class Rounds: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test("cancelling a task that reads a stream while its items arrive never deadlocks the connection")
    func cancelWhileItemsArrive() throws {
        let server = try MatrixServer(.loopback)
        let connection = try server.connect()
        let rounds = Rounds()
        let finished = DispatchSemaphore(value: 0)
        let total = 100  // without the fix it deadlocked within a few rounds
        Task.detached {
            for _ in 0..<total {
                guard let stream = try? connection.requestStream(data: Array("endless".utf8)) else { break }
                // The reader is cancelled at a random moment while the ticker hands it items.
                try? await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await _ in stream {} }
                    group.addTask { try await Task.sleep(for: .microseconds(Int.random(in: 0...300))) }
                    _ = try await group.next()
                    group.cancelAll()
                }
                rounds.value.add(1, ordering: .relaxed)
            }
            finished.signal()
        }
        // Generous: the rounds need the cooperative pool, which blocking tests running beside
        // this one may hold for a long while on two cores; a deadlock never ends.
        let done = finished.wait(timeout: .now() + 120) == .success
        #expect(done, "deadlocked after \(rounds.value.load(ordering: .relaxed)) of \(total) rounds")
        // Deadlocked, the ticker never lets go of the connection and closing would wait for it
        // forever: leave both to the end of the process.
        guard done else { return }
        #expect(rounds.value.load(ordering: .relaxed) == total)
        connection.close()
        server.stop()
    }
}
