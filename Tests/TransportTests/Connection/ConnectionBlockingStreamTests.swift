import Foundation
import Synchronization
import Testing
@testable import Transport

/// A blocking stream reader looks into its stream only when something may have changed it
/// (`ConnectionCore.streamChanges`): these check that it misses nothing it must see, whoever
/// read the frames and whatever ended the stream.
@Suite(.serialized) struct ConnectionBlockingStreamTests {
    @Test("a blocking reader gets every item in order, also those another caller's round trips read for it")
    func itemsReadByAnotherCaller() throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let stream = try connection.requestStream(data: Array("endless".utf8))
        // Round trips on another thread: each of them pumps the carrier, reading the stream's
        // items and keeping them for the reader, while the reader waits for the mutex or
        // spins between its own polls.
        let stop = Atomic<Bool>(false)
        let roundTrips = Atomic<Int>(0)
        let caller = Thread {
            while !stop.load(ordering: .relaxed) {
                let answer = try? Array("ping".utf8).withUnsafeBytes { try connection.requestResponse(data: $0) { Array($0.unsafeData) } }
                if answer == Array("ping".utf8) { roundTrips.add(1, ordering: .relaxed) }
            }
        }
        caller.start()
        defer { stop.store(true, ordering: .relaxed) }
        // Read on a thread of its own, within a deadline: a reader that missed items kept for
        // it would never consume them, never grant more credit, and wait for good (the
        // connection's close then ends it).
        let read = Mutex<(items: Int, wrong: Int, error: TransportError?)>((0, 0, nil))
        let reader = Thread {
            do throws(TransportError) {
                for index in 0 ..< 2_000 {
                    let item = try stream.nextBlocking()
                    read.withLock {
                        $0.items += 1
                        if item?.data != Array("tick-\(index)".utf8) { $0.wrong += 1 }
                    }
                }
            } catch {
                read.withLock { $0.error = error }
            }
        }
        reader.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while read.withLock({ $0.items < 2_000 && $0.error == nil }) && ContinuousClock.now < deadline { usleep(1_000) }
        stop.store(true, ordering: .relaxed)
        let (items, wrong, error) = read.withLock { $0 }
        #expect(items == 2_000 && error == nil, "\(items) items, \(String(describing: error))")
        #expect(wrong == 0)
        #expect(roundTrips.load(ordering: .relaxed) > 0)
    }

    @Test("a blocking reader polling an idle stream returns nil once another thread cancels it")
    func cancelledFromAnotherThread() throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let stream = try connection.requestStream(data: Array("hold".utf8))
        // Cancelled while it polls (or sleeps) with nothing arriving: only the cancel changes
        // what it finds.
        let result = Self.blockingRead(stream) { stream.cancel() }
        #expect(result.map { (try? $0.get()) == .some(nil) } == true, "\(String(describing: result))")
    }

    @Test("a blocking reader polling an idle stream throws closed once another thread closes its connection")
    func connectionClosed() throws {
        let server = try MatrixServer(.loopback)
        defer { server.stop() }
        let connection = try server.connect()
        let stream = try connection.requestStream(data: Array("hold".utf8))
        let result = Self.blockingRead(stream) { connection.close() }
        var closed = false
        if case .failure(.closed)? = result { closed = true }
        #expect(closed, "\(String(describing: result))")
    }

    /// What `stream.nextBlocking()` on a thread of its own returns once `interrupt` ran 20 ms
    /// after it started (while it polls or sleeps on an idle stream), or nil if it has not
    /// returned 5 s later.
    static func blockingRead(_ stream: PayloadStream, interrupt: () -> Void) -> Result<Payload?, TransportError>? {
        let outcome = Mutex<Result<Payload?, TransportError>?>(nil)
        let reader = Thread {
            let result = Result { () throws(TransportError) in try stream.nextBlocking() }
            outcome.withLock { $0 = result }
        }
        reader.start()
        usleep(20_000)
        interrupt()
        let deadline = ContinuousClock.now + .seconds(5)
        while outcome.withLock({ $0 == nil }) && ContinuousClock.now < deadline { usleep(1_000) }
        return outcome.withLock { $0 }
    }
}
