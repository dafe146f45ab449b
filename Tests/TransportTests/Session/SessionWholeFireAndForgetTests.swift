import Frames
import Testing
@testable import Transport

/// `SessionStateMachine.wholeFireAndForget`, the server's shortcut for a flood of writes:
/// it takes exactly the frames that `receive` would hand on as a plain fire-and-forget, with
/// the same data, and leaves every other frame to `receive`.
@Suite struct SessionWholeFireAndForgetTests {
    /// A frame, and whether the shortcut must take it.
    static let frames: [(name: String, bytes: [UInt8], taken: Bool)] = [
        ("a plain REQUEST_FNF", Wire.fnf(1, "write"), true),
        ("one with empty data", Wire.fnf(3, ""), true),
        ("one with metadata", Wire.frame { w in
            try [UInt8]([7]).withUnsafeBytes { m in try w.writeRequestFireAndForget(streamID: 5, metadata: m, data: Array("d".utf8)) }
        }, false),
        ("a first fragment", Wire.fnf(7, "part", follows: true), false),
        ("an even stream", Wire.fnf(2, "even"), false),
        ("the reserved stream bit", Wire.raw(type: 0x05, stream: 0x8000_0001, body: [1]), false),
        ("the ignore flag", Wire.raw(type: 0x05, flags: 0x200, stream: 9, body: [1]), false),
        ("a REQUEST_RESPONSE", Wire.rr(11, "rr"), false),
        ("a truncated header", [0, 0, 0, 1, 0x14], false),
        ("a stream in use", Wire.fnf(13, "again"), false),
    ]

    @Test("it takes a plain fire-and-forget, with the data receive would hand on, and nothing else")
    func takesOnlyPlainFireAndForget() {
        for frame in Self.frames {
            var shortcut = SessionHarness()
            var general = SessionHarness()
            if frame.name == "a stream in use" {
                _ = shortcut.feed(Wire.stream(13, 1))
                _ = general.feed(Wire.stream(13, 1))
            }
            let now = shortcut.now
            let taken = frame.bytes.withUnsafeBytes { raw in
                shortcut.machine.wholeFireAndForget(raw, now: now).map { Array($0) }
            }
            #expect((taken != nil) == frame.taken, "\(frame.name)")
            guard let taken else { continue }
            #expect(general.feed(frame.bytes) == .fireAndForget(String(decoding: taken, as: UTF8.self), metadata: nil), "\(frame.name)")
        }
    }

    @Test("it takes nothing before SETUP is accepted")
    func nothingBeforeSetup() {
        var session = SessionHarness(established: false)
        let now = session.now
        let taken = Wire.fnf(1, "early").withUnsafeBytes { session.machine.wholeFireAndForget($0, now: now) }
        #expect(taken == nil)
        #expect(session.feed(Wire.fnf(1, "early")).isClose, "receive answers it: no request before SETUP")
    }
}
