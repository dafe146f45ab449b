import CRingside
import Foundation
import Testing
@testable import Transport

/// The connection's executor: tasks that prefer it run on the connection's own thread,
/// resumed right after the reads that deliver their items; nothing is stranded by a close.
@Suite(.serialized) struct ConnectionExecutorTests {
    @Test("a stream read by a task preferring the executor: every item in order, each on the connection's thread")
    func streamOnConnectionThread() async throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        // More items than the stream's window: REQUEST_N goes out from the connection's thread too.
        let stream = try connection.requestStream(data: Array("count:300".utf8))
        let (items, threads) = try await Task(executorPreference: connection.executor) { () async throws -> (Int, Set<Int32>) in
            var items = 0
            var threads = Set<Int32>()
            for try await _ in stream {
                items += 1
                threads.insert(ringside_thread_id())
            }
            return (items, threads)
        }.value
        #expect(items == 300)
        let ticker = try #require(connection.ticker.threadID)
        #expect(threads == [ticker], "every item was held on the connection's thread, not a pool thread")
    }

    @Test("a job enqueued while the connection is idle runs on the connection's thread")
    func idleConnectionRunsJobs() async throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        for _ in 0 ..< 3 {
            let thread = await Task(executorPreference: connection.executor) { ringside_thread_id() }.value
            #expect(thread == connection.ticker.threadID)
            try await Task.sleep(for: .milliseconds(20))   // the ticker goes back to sleep in between
        }
    }

    @Test("close: a reader suspended on the executor hears closed, and later jobs run on the global pool")
    func closeStrandsNothing() async throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        let stream = try connection.requestStream(data: Array("silent".utf8))   // never answered
        let reader = Task(executorPreference: connection.executor) { () async -> TransportError? in
            do {
                for try await _ in stream {}
                return nil
            } catch let error as TransportError {
                return error
            } catch {
                return .invalidArgument("\(error)")
            }
        }
        try await Task.sleep(for: .milliseconds(50))   // the reader is suspended by now
        connection.close()
        let started = ContinuousClock.now
        let outcome = await reader.value
        #expect(outcome == .closed)
        #expect(ContinuousClock.now - started < .seconds(10), "resumed, not left hanging")
        let thread = await Task(executorPreference: connection.executor) { ringside_thread_id() }.value
        #expect(thread != connection.ticker.threadID)
    }

    @Test("a stream's kept items come out oldest first, and the buffer is reused once empty")
    func streamItems() {
        let items = StreamItems()
        #expect(items.isEmpty)
        #expect(items.take() == nil)
        for round in 0 ..< 3 {
            for index in 0 ..< 5 { items.append(Payload(data: [UInt8(round), UInt8(index)])) }
            #expect(!items.isEmpty)
            for index in 0 ..< 5 { #expect(items.take()?.data == [UInt8(round), UInt8(index)]) }
            #expect(items.isEmpty)
            #expect(items.take() == nil)
        }
    }
}
