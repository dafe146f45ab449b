import Foundation
import Frames
import Testing
@testable import Transport

/// One test matrix over every carrier: a real server (poll thread, sessions, responder) and
/// real connections, each test bounded in time.
@Suite(.serialized) struct MatrixTests {
    @Test("SETUP accepted with its MIME type; refused SETUP is a clear error", arguments: CarrierFactory.all)
    func setupVariants(_ factory: CarrierFactory) async throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let connection = try server.connect(ConnectionConfiguration(dataMIMEType: "application/x.ringside.v1", requestTimeout: .seconds(5)))
        let answer = try Array("ping".utf8).withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
        #expect(answer == Array("ping".utf8))
        #expect(server.log.read { $0.setups } == ["application/x.ringside.v1"])
        connection.close()

        let refused = try server.connect(ConnectionConfiguration(dataMIMEType: "text/refuse", requestTimeout: .seconds(5)))
        defer { refused.close() }
        await #expect(throws: TransportError.refused("REJECTED_SETUP: refused for the test")) {
            _ = try await refused.requestResponse(data: Array("x".utf8))
        }
    }

    @Test("fire-and-forget: every frame arrives, in order", arguments: CarrierFactory.all)
    func fireAndForget(_ factory: CarrierFactory) throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        for index in 0..<2_000 {
            try Array("event-\(index)".utf8).withUnsafeBytes { bytes in try connection.fireAndForget(data: bytes) }
        }
        #expect(server.log.wait { $0.fireAndForget == 2_000 })
        #expect(server.log.read { $0.lastFireAndForget } == Array("event-1999".utf8))
        #expect(server.log.read { $0.batches } > 0, "endOfBatch follows polls")
    }

    @Test("request-response, blocking and async, with metadata; an ERROR answer is typed", arguments: CarrierFactory.all)
    func requestResponse(_ factory: CarrierFactory) async throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        for index in 0..<200 {
            let request = Array("question-\(index)".utf8)
            let answer = try request.withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
            #expect(answer == request)
        }
        let echoed = try await connection.requestResponse(data: Array("data".utf8), metadata: [1, 2, 3])
        #expect(echoed == Payload(data: Array("data".utf8), metadata: [1, 2, 3]))
        await #expect(throws: TransportError.rejected(code: 0x201, reason: "failed on purpose")) {
            _ = try await connection.requestResponse(data: Array("fail".utf8))
        }
        #expect(throws: TransportError.rejected(code: 0x201, reason: "failed on purpose")) {
            try Array("fail".utf8).withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { _ in () } }
        }
        let after = try await connection.requestResponse(data: Array("still fine".utf8))
        #expect(after.data == Array("still fine".utf8))
        let encoded = try await connection.requestResponse(data: Array("encode:in place".utf8))
        #expect(encoded.data == Array("IN PLACE".utf8))
    }

    @Test("request-stream: all items in order; the responder's excess is held until REQUEST_N", arguments: CarrierFactory.all)
    func requestStreamCredit(_ factory: CarrierFactory) async throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let connection = try server.connect(ConnectionConfiguration(dataMIMEType: "application/json", streamWindow: 4, requestTimeout: .seconds(5)))
        defer { connection.close() }
        var items: [String] = []
        for try await item in try connection.requestStream(data: Array("count:50".utf8)) {
            items.append(String(decoding: item.data, as: UTF8.self))
        }
        #expect(items == (0..<50).map { "item-\($0)" })
        #expect(server.log.read { $0.held } >= 46, "credit was 4: the rest waited for REQUEST_N")
    }

    @Test("cancel: the responder hears it and stops; the connection goes on", arguments: CarrierFactory.all)
    func cancel(_ factory: CarrierFactory) async throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let connection = try server.connect(ConnectionConfiguration(dataMIMEType: "application/json", streamWindow: 8, requestTimeout: .seconds(5)))
        defer { connection.close() }
        let stream = try connection.requestStream(data: Array("endless".utf8))
        var iterator = stream.makeAsyncIterator()
        for index in 0..<20 {
            let item = try await iterator.next()
            #expect(item?.data == Array("tick-\(index)".utf8))
        }
        stream.cancel()
        #expect(server.log.wait { $0.cancels == 1 })
        let answer = try await connection.requestResponse(data: Array("after".utf8))
        #expect(answer.data == Array("after".utf8))
    }

    @Test("large answers and requests are fragmented to the carrier's frame limit and reassembled", arguments: CarrierFactory.all)
    func fragmentation(_ factory: CarrierFactory) async throws {
        // Frames of at most 1 KiB both ways, whatever the carrier takes.
        let server = try MatrixServer(factory, maxFrameLength: 1_024, configuration: ServerConfiguration(maxOutgoingFrameLength: 1_024))
        defer { server.stop() }
        let connection = try server.connect(ConnectionConfiguration(
            dataMIMEType: "application/json", maxOutgoingFrameLength: 1_024, requestTimeout: .seconds(10)))
        defer { connection.close() }
        let size = 300_000
        let expected = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let big = try Array("big:\(size)".utf8).withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
        #expect(big == expected)
        let request = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let echoed = try await connection.requestResponse(data: request, metadata: Array(repeating: 9, count: 3_000))
        #expect(echoed.data == request)
        #expect(echoed.metadata == Array(repeating: 9, count: 3_000))
    }

    @Test("channel: the requester's payloads are echoed until it completes", arguments: CarrierFactory.all)
    func channel(_ factory: CarrierFactory) throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let raw = try server.raw()
        try raw.send(Wire.setup())
        try raw.send(Wire.channel(1, 10, "c0"))
        #expect(describe(try raw.next()!).type == .requestN, "the channel's grant comes first")
        #expect(describe(try raw.next()!).type == .payload)
        try raw.send(Wire.payload(1, "c1"))
        try raw.send(Wire.payload(1, "c2", complete: true))
        let frames = [try raw.next()!, try raw.next()!]
        #expect(frames.map { describe($0).type } == [.payload, .payload])
        #expect(server.log.read { $0.channelPayloads } == ["c1", "c2"])
    }

    @Test("keepalive answered; a silent peer is closed with CONNECTION_CLOSE after its max lifetime", arguments: CarrierFactory.all)
    func keepaliveAndLifetime(_ factory: CarrierFactory) throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let raw = try server.raw()
        try raw.send(Wire.setup(keepalive: 100, lifetime: 300))
        try raw.send(Wire.keepalive(respond: true, "k"))
        let answer = try raw.next()!
        #expect(describe(answer).type == .keepalive)
        let started = ContinuousClock.now
        let frames = try raw.drainUntilClosed()
        let waited = ContinuousClock.now - started
        #expect(frames.map { describe($0).code } == [.connectionClose])
        #expect(waited >= .milliseconds(250) && waited < .seconds(2), "closed after about 300 ms, not \(waited)")
        #expect(server.log.wait { $0.closed == 1 })
    }

    @Test("the stream bound: the request beyond it gets ERROR REJECTED", arguments: CarrierFactory.all)
    func streamBound(_ factory: CarrierFactory) throws {
        let server = try MatrixServer(factory, configuration: ServerConfiguration(session: SessionConfiguration(maxConcurrentStreams: 2)))
        defer { server.stop() }
        let raw = try server.raw()
        try raw.send(Wire.setup())
        try raw.send(Wire.stream(1, 1, "hold"))
        try raw.send(Wire.stream(3, 1, "hold"))
        try raw.send(Wire.stream(5, 1, "hold"))
        let rejected = describe(try raw.next()!)
        #expect(rejected.stream == 5 && rejected.code == .rejected)
    }

    @Test("malformed frames of each kind: ERROR CONNECTION_ERROR, closed; another connection carries on", arguments: CarrierFactory.all)
    func malformed(_ factory: CarrierFactory) throws {
        let server = try MatrixServer(factory)
        defer { server.stop() }
        let healthy = try server.connect()
        defer { healthy.close() }
        let bad: [[UInt8]] = [
            [0, 0, 0, 1, 0x10],                               // shorter than a header
            Wire.raw(type: 0x08, stream: 1, body: [0, 0, 0, 0]), // REQUEST_N of 0
            Wire.raw(type: 0x0A, stream: 1),                  // PAYLOAD without N or C
            Wire.raw(type: 0x30, stream: 0),                  // unknown type without I
            Wire.rr(2, "even stream id"),
        ]
        for frame in bad {
            let raw = try server.raw()
            try raw.send(Wire.setup())
            try raw.send(frame)
            let frames = try raw.drainUntilClosed()
            #expect(frames.map { describe($0).code } == [.connectionError], "\(frame)")
            let answer = try Array("ok".utf8).withUnsafeBytes { bytes in try healthy.requestResponse(data: bytes) { Array($0.unsafeData) } }
            #expect(answer == Array("ok".utf8))
        }
        let early = try server.raw()
        try early.send(Wire.fnf(1, "before setup"))
        #expect(try early.drainUntilClosed().map { describe($0).code } == [.invalidSetup])
    }

    @Test("a clean server stop: CONNECTION_CLOSE reaches the client as serverGone", arguments: CarrierFactory.all)
    func serverStop(_ factory: CarrierFactory) async throws {
        let server = try MatrixServer(factory)
        let connection = try server.connect()
        defer { connection.close() }
        _ = try await connection.requestResponse(data: Array("hello".utf8))
        server.stop()
        #expect(!server.server.isRunning)
        await #expect {
            _ = try await connection.requestResponse(data: Array("gone?".utf8))
        } throws: { error in
            guard case TransportError.serverGone = error else { return false }
            return true
        }
        #expect(server.log.read { $0.closed } == 1)
        if case .shm(let name) = server.address {
            #expect(ShmTest.leftovers(name).isEmpty, "a clean stop leaves nothing in /dev/shm")
        }
    }
}
