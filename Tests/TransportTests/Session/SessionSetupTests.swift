import Frames
import Testing
@testable import Transport

/// SETUP, keepalive and lifetime, without any carrier.
@Suite struct SessionSetupTests {
    @Test("a 1.0 SETUP is handed on with its MIME types, then accepted")
    func setupAccepted() {
        var session = SessionHarness(established: false)
        let action = session.feed(Wire.setup(keepalive: 2_000, lifetime: 7_000, dataMIME: "application/x.ringside.v1"))
        #expect(action == .setup(
            dataMIME: "application/x.ringside.v1", metadataMIME: "application/octet-stream", keepalive: .seconds(2),
            lifetime: .seconds(7), data: "hello"))
        #expect(session.machine.state == .awaitingSetup)
        #expect(Observed(session.machine.decideSetup(.accept, now: session.now)) == .none)
        #expect(session.machine.state == .active)
        #expect(session.machine.maxLifetime == .seconds(7))
    }

    @Test("other versions, resume and lease are refused with UNSUPPORTED_SETUP; RESUME with REJECTED_RESUME")
    func setupRefusals() {
        for frame in [Wire.setup(major: 2), Wire.setup(minor: 1), Wire.setup(major: 0, minor: 2), Wire.setup(resume: true), Wire.setup(lease: true)] {
            var session = SessionHarness(established: false)
            let action = session.feed(frame)
            #expect(action.isClose)
            #expect(action.errorCode == .unsupportedSetup)
            #expect(session.machine.state == .closing)
            #expect(session.feed(Wire.fnf(1, "x")) == .none, "a closing session ignores everything")
        }
        var session = SessionHarness(established: false)
        let resume = Wire.raw(type: 0x0D, body: [0, 1, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16))
        #expect(session.feed(resume).errorCode == .rejectedResume)
    }

    @Test("a frame before SETUP is INVALID_SETUP; so is silence past the SETUP deadline")
    func beforeSetup() {
        var session = SessionHarness(established: false)
        #expect(session.feed(Wire.rr(1, "early")) == .close(.error(stream: 0, .invalidSetup, "REQUEST_RESPONSE before SETUP")))
        var silent = SessionHarness(configuration: SessionConfiguration(setupTimeout: .seconds(1)), established: false)
        #expect(silent.advance(.milliseconds(999)) == .none)
        #expect(silent.advance(.milliseconds(2)).errorCode == .invalidSetup)
        var garbage = SessionHarness(established: false)
        #expect(garbage.feed([1, 2, 3]).errorCode == .invalidSetup)
    }

    @Test("the responder's refusals: REJECTED_SETUP and UNSUPPORTED_SETUP with its reason")
    func responderRefuses() {
        var session = SessionHarness(established: false)
        _ = session.feed(Wire.setup())
        #expect(Observed(session.machine.decideSetup(.reject("full"), now: session.now)) == .close(.error(stream: 0, .rejectedSetup, "full")))
        var other = SessionHarness(established: false)
        _ = other.feed(Wire.setup(dataMIME: "text/plain"))
        #expect(Observed(other.machine.decideSetup(.unsupported("text/plain"), now: other.now)).errorCode == .unsupportedSetup)
    }

    @Test("a second SETUP is a connection error")
    func secondSetup() {
        var session = SessionHarness()
        #expect(session.feed(Wire.setup()).errorCode == .connectionError)
    }

    @Test("KEEPALIVE with R is answered at once with its data; without R it is not")
    func keepalive() {
        var session = SessionHarness()
        #expect(session.feed(Wire.keepalive(respond: true, "ping")) == .reply(.keepalive(Array("ping".utf8))))
        #expect(session.feed(Wire.keepalive(respond: false, "ping")) == .none)
    }

    @Test("a peer silent past its max lifetime is closed with CONNECTION_CLOSE; any frame keeps it alive")
    func lifetime() {
        var session = SessionHarness()   // lifetime 5 s
        #expect(session.advance(.seconds(4)) == .none)
        _ = session.feed(Wire.keepalive(respond: false))
        #expect(session.advance(.seconds(4)) == .none)
        #expect(session.machine.nextDeadline == session.now + .seconds(1))
        let action = session.advance(.milliseconds(1_001))
        #expect(action.errorCode == .connectionClose)
        #expect(action.isClose)
        #expect(session.machine.nextDeadline == nil)
    }

    @Test("ERROR on stream 0 from the peer ends the session without an answer")
    func peerError() {
        var session = SessionHarness()
        #expect(session.feed(Wire.error(0, .connectionClose, "bye")) == .close(nil))
        session.machine.terminate()
        #expect(session.machine.state == .closed)
    }

    @Test("METADATA_PUSH is ignored; LEASE is refused as a connection error")
    func metadataPushAndLease() {
        var session = SessionHarness()
        let push = Wire.frame { w in try [UInt8](repeating: 7, count: 4).withUnsafeBytes { m in try w.writeMetadataPush(metadata: m) } }
        #expect(session.feed(push) == .none)
        let lease = Wire.frame { (w) throws(FrameError) in try w.writeLease(timeToLive: 1_000, numberOfRequests: 5) }
        #expect(session.feed(lease).errorCode == .connectionError)
    }

    @Test("unknown frame types: ignored with the I flag, a connection error without it")
    func unknownTypes() {
        var session = SessionHarness()
        #expect(session.feed(Wire.raw(type: 0x30, flags: 0x200, stream: 0, body: [1, 2])) == .none)
        #expect(session.feed(Wire.raw(type: 0x30, flags: 0, stream: 0)).errorCode == .connectionError)
    }

    @Test("malformed frames of every kind are connection errors naming the fault")
    func malformed() {
        let frames: [[UInt8]] = [
            [0, 0, 0],                                           // shorter than a header
            Wire.raw(type: 0x08, stream: 1, body: [0, 0, 0, 0]), // REQUEST_N of 0
            Wire.raw(type: 0x08, stream: 1, body: [0, 0]),       // truncated REQUEST_N
            Wire.raw(type: 0x0A, stream: 1),                     // PAYLOAD without N or C
            Wire.raw(type: 0x04, stream: 0),                     // a request on stream 0
            Wire.raw(type: 0x03, stream: 1, body: [UInt8](repeating: 0, count: 8)), // KEEPALIVE off stream 0
            Wire.raw(type: 0x04, flags: 0x100, stream: 1, body: [0, 0, 9]),         // metadata length past the end
            [0x80, 0, 0, 1, 0x10, 0],                            // the stream id's reserved bit
            Wire.raw(type: 0x09, stream: 1, body: [1]),          // bytes after CANCEL
            Wire.raw(type: 0x04, flags: 0x040, stream: 1),       // a flag the type does not define
        ]
        for frame in frames {
            var session = SessionHarness()
            let action = session.feed(frame)
            #expect(action.errorCode == .connectionError, "\(frame)")
            if case .close(.error(_, _, let reason))? = Optional(action) { #expect(reason.hasPrefix("malformed frame")) }
        }
        var session = SessionHarness()
        #expect(Observed(session.machine.malformed(reason: "length 3 below a header")) == .close(.error(stream: 0, .connectionError, "length 3 below a header")))
    }
}
