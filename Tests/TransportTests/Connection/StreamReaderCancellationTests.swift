import Foundation
import Testing
@testable import Transport

/// A request-stream's async reader whose task is cancelled: it gets `CancellationError` and
/// the stream is cancelled (the responder hears a CANCEL), whether the task was cancelled
/// while it waited (the ticker notices) or before it asked.
@Suite(.serialized) struct StreamReaderCancellationTests {
    @Test("a reader's task cancelled while it waits: CancellationError, and a CANCEL", .timeLimit(.minutes(1)))
    func cancelledWhileWaiting() async throws {
        try await Self.readSilentStream { stream in
            let reader = Task { try await Self.firstItem(stream) }
            // Cancelled only once it is suspended on the stream, so the cancellation reaches
            // a waiting reader, not the check at the start of a read.
            let deadline = ContinuousClock.now + .seconds(30)
            while try stream.subscription.shared.withCore({ (core) throws(TransportError) in core.asyncWaiters }) == 0 {
                try #require(ContinuousClock.now < deadline, "the reader never waited")
                try await Task.sleep(for: .milliseconds(1))
            }
            return reader
        }
    }

    @Test("a read by a task cancelled before it: CancellationError at once, and a CANCEL", .timeLimit(.minutes(1)))
    func cancelledBeforeReading() async throws {
        try await Self.readSilentStream { stream in
            Task {
                // Waits for its own cancellation first (a bounded poll: it comes at once),
                // suspended, not holding a thread of the pool.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(1)) }
                return try await Self.firstItem(stream)
            }
        }
    }

    /// Opens a stream the responder never answers, has `start` start its reader, cancels the
    /// reader's task, then expects the responder to hear a CANCEL and the reader to end with
    /// `CancellationError`. A CANCEL that never comes fails the test, not hangs it: the
    /// connection is closed then, which ends the read with `closed`.
    private static func readSilentStream(_ start: (PayloadStream) async throws -> Task<Payload?, any Error>) async throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let reader = try await start(try connection.requestStream(data: Array("silent".utf8)))
        reader.cancel()
        let cancelled = await server.log.waitSuspending(timeout: .seconds(30)) { $0.cancels == 1 }
        #expect(cancelled, "the responder heard a CANCEL")
        if !cancelled { connection.close() }
        await #expect(throws: CancellationError.self) { try await reader.value }
    }

    /// The stream's first item (nil when it ends first).
    private static func firstItem(_ stream: PayloadStream) async throws -> Payload? {
        var iterator = stream.makeAsyncIterator()
        return try await iterator.next()
    }
}
