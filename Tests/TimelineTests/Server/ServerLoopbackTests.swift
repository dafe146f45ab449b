import Foundation
import Frames
import Testing
import Timeline
import Transport

/// The timeline server in this process over the loopback carrier, through the Transport
/// `Connection` API: every request kind in both encodings, errors on their stream only.
@Suite("Timeline server over loopback")
struct ServerLoopbackTests {
    @Test("every request kind is answered", arguments: TimelineEncoding.allCases)
    func everyKind(encoding: TimelineEncoding) async throws {
        let fixture = try LoopbackServer()
        let client = try fixture.caller(encoding)
        #expect(try client.call(.insert(key: "k", score: 1, member: "a")) == .ok)
        try client.send(.insert(key: "k", score: 2, member: "b"))
        #expect(try client.call(.insertBatch(writes: [write("k", 3, "c"), write("j", 1, "x"), write("j", 2, "y")])) == .ok)
        #expect(try client.call(.delete(key: "k", score: 5, member: "a")) == .ok)
        #expect(try client.call(.deleteBatch(writes: [write("j", 9, "x")])) == .ok)
        #expect(try client.call(.select(key: "k", offset: 0, limit: 10)) == .records([record("c", 3), record("b", 2)]))
        #expect(try client.call(.select(key: "k", offset: 1, limit: 1)) == .records([record("b", 2)]))
        #expect(try client.call(.selectKeys(keys: ["k", "j", "none"], offset: 0, limit: 1))
            == .results(["k": [record("c", 3)], "j": [record("y", 2)], "none": []]))
        #expect(try client.call(.range(key: "k", start: TimelineJSONCursor(score: 3, member: "c"), stop: nil, limit: 10))
            == .records([record("b", 2)]))
    }

    @Test("a tail gets every accepted write of its key, in order, under REQUEST_N", .timeLimit(.minutes(1)), arguments: TimelineEncoding.allCases)
    func tail(encoding: TimelineEncoding) async throws {
        let fixture = try LoopbackServer()
        let subscriber = try fixture.caller(encoding, window: 2)
        let writer = try fixture.caller(.binary)
        let stream = try subscriber.tail("k")
        // The tail starts at the server's next batch: a request-response after it orders them.
        _ = try subscriber.call(.select(key: "k", offset: 0, limit: 1))
        for score in 1 ... 20 { try writer.send(.insert(key: "k", score: Double(score), member: "m\(score)")) }
        try writer.send(.insert(key: "other", score: 1, member: "x"))
        try writer.send(.insert(key: "k", score: 0, member: "m20"))   // ignored: older than m20's insert
        #expect(try writer.call(.delete(key: "k", score: 30, member: "m1")) == .ok)
        // A deadline against a hang, not a speed: the reading task needs a thread of the
        // concurrency pool, which other suites' blocking tests can hold for seconds on two
        // cores (10 s failed so under load).
        let received = try await events(stream, 21, codec: subscriber.codec, timeout: .seconds(50))
        #expect(received == (1 ... 20).map { .insert(key: "k", score: Double($0), member: "m\($0)") } + [.delete(key: "k", score: 30, member: "m1")])
    }

    @Test("a bad request gets an ERROR on its stream only; the connection keeps working", arguments: TimelineEncoding.allCases)
    func errorsOnTheirStream(encoding: TimelineEncoding) throws {
        let fixture = try LoopbackServer()
        let client = try fixture.caller(encoding)
        let garbage: [UInt8] = encoding == .json ? Array(#"{"op":"insert","key":"k"}"#.utf8) : [0xFF, 0, 1]
        let malformed = try client.rejection(garbage)
        #expect(malformed.code == 0x204)
        #expect(!malformed.reason.isEmpty)
        let wrongKind = try client.codec.encode(.tail(key: "k"))
        let refused = try client.rejection(wrongKind)
        #expect(refused.code == 0x204)
        #expect(refused.reason.contains("tail"))
        #expect(try client.call(.insert(key: "k", score: 1, member: "a")) == .ok)
        #expect(try client.call(.select(key: "k", offset: 0, limit: 10)) == .records([record("a", 1)]))
    }

    @Test("a SETUP naming another data MIME type is refused with a reason")
    func unknownMIMEType() throws {
        let fixture = try LoopbackServer()
        let connection = try Connection(
            carrier: try fixture.carrier.connect(),
            configuration: ConnectionConfiguration(dataMIMEType: "text/plain", requestTimeout: .seconds(5)))
        do {
            _ = try Array("x".utf8).withUnsafeBytes { raw in try connection.requestResponse(data: raw) { Array($0.unsafeData) } }
            Issue.record("a request on a refused connection was answered")
        } catch {
            #expect("\(error)".contains("text/plain"), "\(error)")
        }
        let good = try fixture.caller(.json)
        #expect(try good.call(.insert(key: "k", score: 1, member: "a")) == .ok)
    }

    @Test("a tail that does not keep up is cut off with an ERROR; the writers are not held back")
    func slowTail() async throws {
        let fixture = try LoopbackServer(TimelineServerConfiguration(engine: .init(tailBufferEvents: 50), publishesStat: false))
        let subscriber = try fixture.caller(.json, window: 2)
        let writer = try fixture.caller(.binary)
        let stream = try subscriber.tail("k")
        _ = try subscriber.call(.select(key: "k", offset: 0, limit: 1))   // the tail has started
        let started = ContinuousClock.now
        for score in 1 ... 200 { #expect(try writer.call(.insert(key: "k", score: Double(score), member: "m\(score)")) == .ok) }
        #expect(ContinuousClock.now - started < .seconds(10))
        var received = 0
        do {
            for try await _ in stream { received += 1 }
            Issue.record("the tail ended without an error after \(received) events")
        } catch let error as TransportError {
            guard case .rejected(let code, let reason) = error else { throw error }
            #expect(code == 0x201)
            #expect(reason.contains("tail overflow"), "\(reason)")
        }
        #expect(received <= 52)
        #expect(try writer.call(.select(key: "k", offset: 0, limit: 1)) == .records([record("m200", 200)]))
    }
}
