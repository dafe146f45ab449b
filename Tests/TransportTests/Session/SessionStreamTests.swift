import Frames
import Testing
@testable import Transport

/// Interactions, stream ids, the stream bound, credit and cancel, without any carrier.
@Suite struct SessionStreamTests {
    @Test("each interaction reaches the responder with its stream and data")
    func interactions() {
        var session = SessionHarness()
        #expect(session.feed(Wire.fnf(1, "f")) == .fireAndForget("f", metadata: nil))
        #expect(session.feed(Wire.rr(3, "r", metadata: [9])) == .requestResponse(StreamRef(streamID: 3, generation: 0), "r", metadata: [9]))
        #expect(session.feed(Wire.stream(5, 10, "s")) == .requestStream(StreamRef(streamID: 5, generation: 1), "s", n: 10))
        #expect(session.feed(Wire.channel(7, 2, "c")) == .requestChannel(StreamRef(streamID: 7, generation: 2), "c", n: 2, grant: 64))
        #expect(session.machine.openStreamCount == 3, "fire-and-forget keeps no stream")
    }

    @Test("a request-response takes exactly one answer, with C set")
    func requestResponseAnswer() {
        var session = SessionHarness()
        let ref = session.feed(Wire.rr(1, "q")).ref!
        #expect(session.machine.credit(ref) == 1)
        #expect(session.send(ref, "a") == .send(ended: true))
        #expect(session.send(ref, "again") == .refused(.streamEnded))
        #expect(session.machine.openStreamCount == 0)
    }

    @Test("stream ids: even ids and the reuse of a live id are connection errors; a finished id may be reused")
    func streamIDs() {
        var even = SessionHarness()
        #expect(even.feed(Wire.rr(2, "x")).errorCode == .connectionError)
        var reuse = SessionHarness()
        let ref = reuse.feed(Wire.rr(1, "x")).ref!
        #expect(reuse.feed(Wire.stream(1, 1)).errorCode == .connectionError)
        var again = SessionHarness()
        let first = again.feed(Wire.rr(1, "x")).ref!
        _ = again.send(first, "done")
        let second = again.feed(Wire.rr(1, "y")).ref!
        #expect(second.streamID == 1 && second.generation != first.generation)
        #expect(again.send(first, "stale") == .refused(.streamEnded), "an old handle does not reach the new stream")
        _ = ref
    }

    @Test("beyond the concurrent-stream bound a request gets ERROR REJECTED and the connection goes on")
    func streamBound() {
        var session = SessionHarness(configuration: SessionConfiguration(maxConcurrentStreams: 2))
        _ = session.feed(Wire.stream(1, 1))
        _ = session.feed(Wire.stream(3, 1))
        #expect(session.feed(Wire.stream(5, 1)) == .reply(.error(stream: 5, .rejected, "too many concurrent streams")))
        #expect(session.feed(Wire.fnf(7, "still")) == .fireAndForget("still", metadata: nil))
        _ = session.feed(Wire.cancel(1))
        #expect(session.feed(Wire.stream(9, 1)).ref != nil)
        #expect(SessionConfiguration().maxConcurrentStreams == 1_024)
    }

    @Test("no PAYLOAD beyond the credit: held back, released by REQUEST_N in order, credits adding up")
    func credit() {
        var session = SessionHarness()
        let ref = session.feed(Wire.stream(1, 2)).ref!
        #expect(session.send(ref, "a") == .send(ended: false))
        #expect(session.send(ref, "b") == .send(ended: false))
        #expect(session.machine.credit(ref) == 0)
        #expect(session.send(ref, "c") == .held)
        #expect(session.send(ref, "d") == .held)
        #expect(session.send(ref, "", next: false, complete: true) == .held, "the completion waits behind them")
        #expect(session.machine.heldPayloadCount(ref) == 3)
        #expect(session.feed(Wire.requestN(1, 1)) == .demand(ref, 1))
        #expect(session.release(ref).map(\.0) == ["c"])
        #expect(session.feed(Wire.requestN(1, 2)) == .demand(ref, 2))
        let released = session.release(ref)
        #expect(released.map(\.0) == ["d", ""])
        #expect(released.last!.2, "the completion goes out last")
        #expect(session.machine.openStreamCount == 0)
    }

    @Test("REQUEST_N saturates at 2^31-1, which is never used up")
    func saturation() {
        var session = SessionHarness()
        let ref = session.feed(Wire.stream(1, 0x7FFF_FFF0)).ref!
        #expect(session.feed(Wire.requestN(1, 0x7FFF_FFFF)) == .demand(ref, Credit.unbounded))
        for _ in 0..<100 { _ = session.send(ref, "x") }
        #expect(session.machine.credit(ref) == Credit.unbounded)
        #expect(Credit.adding(5, 6) == 11)
        #expect(Credit.adding(0x7FFF_FFFE, 1) == Credit.unbounded)
    }

    @Test("the bytes held for lack of credit are bounded per connection")
    func holdBound() {
        var session = SessionHarness(configuration: SessionConfiguration(maxHeldBytes: 100))
        let ref = session.feed(Wire.stream(1, 1)).ref!
        _ = session.send(ref, "first")
        #expect(session.send(ref, String(repeating: "x", count: 60)) == .held)
        #expect(session.send(ref, String(repeating: "y", count: 60)) == .refused(.holdFull))
        #expect(session.machine.heldBytes == 71)
    }

    @Test("CANCEL ends the stream: the responder hears it, later answers are refused, held payloads dropped")
    func cancel() {
        var session = SessionHarness()
        let ref = session.feed(Wire.stream(1, 1)).ref!
        _ = session.send(ref, "a")
        _ = session.send(ref, "held")
        #expect(session.feed(Wire.cancel(1)) == .cancel(ref))
        #expect(session.send(ref, "late") == .refused(.streamEnded))
        #expect(session.machine.heldBytes == 0)
        #expect(session.feed(Wire.cancel(1)) == .none, "a CANCEL for an ended stream is ignored")
        #expect(session.feed(Wire.requestN(1, 5)) == .none)
    }

    @Test("ERROR on a stream from the requester ends it like CANCEL; the responder's ERROR ends it too")
    func streamErrors() {
        var session = SessionHarness()
        let ref = session.feed(Wire.channel(1, 1)).ref!
        #expect(session.feed(Wire.error(1, .applicationError, "gave up")) == .cancel(ref))
        let other = session.feed(Wire.stream(3, 1)).ref!
        #expect(session.machine.prepareError(other) == nil)
        #expect(session.machine.prepareError(other) == .streamEnded)
        #expect(session.send(other, "late") == .refused(.streamEnded))
    }

    @Test("channels: the requester's payloads within the granted credit, topped up at half, C ends its half")
    func channel() {
        var session = SessionHarness(configuration: SessionConfiguration(channelWindow: 4))
        let ref = session.feed(Wire.channel(1, 1)).ref!
        #expect(session.feed(Wire.payload(1, "p1")) == .channelPayload(ref, "p1", complete: false, grant: 0))
        #expect(session.feed(Wire.payload(1, "p2")) == .channelPayload(ref, "p2", complete: false, grant: 2), "half used: topped up to 4")
        for index in 3...6 { #expect(session.feed(Wire.payload(1, "p\(index)")).ref == ref) }
        #expect(session.feed(Wire.payload(1, "", next: false, complete: true)) == .channelComplete(ref))
        #expect(session.machine.openStreamCount == 1, "the responder's half is still open")
        #expect(session.send(ref, "last", complete: true) == .send(ended: true))
        #expect(session.machine.openStreamCount == 0)
    }

    @Test("a channel requester sending after its C, or PAYLOAD on a request-response, is a connection error")
    func payloadViolations() {
        var session = SessionHarness(configuration: SessionConfiguration(channelWindow: 2))
        let ref = session.feed(Wire.channel(1, 1)).ref!
        #expect(session.feed(Wire.payload(1, "a", complete: true)) == .channelPayload(ref, "a", complete: true, grant: 0))
        #expect(session.feed(Wire.payload(1, "b")).errorCode == .connectionError)
        var rr = SessionHarness()
        _ = rr.feed(Wire.rr(1, "q"))
        #expect(rr.feed(Wire.payload(1, "x")).errorCode == .connectionError)
        var unknown = SessionHarness()
        #expect(unknown.feed(Wire.payload(9, "x")) == .none, "a PAYLOAD for no live stream is ignored")
    }

    @Test("a channel opened with C has no inbound half and gets no grant")
    func channelOpenedComplete() {
        var session = SessionHarness()
        let ref = StreamRef(streamID: 1, generation: 0)
        #expect(session.feed(Wire.channel(1, 3, "only", complete: true)) == .requestChannel(ref, "only", n: 3, grant: 0))
    }
}
