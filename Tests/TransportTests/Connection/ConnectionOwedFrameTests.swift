import Frames
import Synchronization
import Testing
import Transport

/// What a scripted carrier saw and what it has to deliver; shared by the carrier (which the
/// connection owns) and the test.
final class ScriptedCarrierLog: Sendable {
    private struct State {
        var sent: [[UInt8]] = []
        var inbound: [[UInt8]] = []
        /// Frames that become receivable when the first fire-and-forget is refused.
        var onRefusal: [[UInt8]] = []
        var refuseFireAndForget = true
    }

    private let state = Mutex(State())

    /// Frames from the "server" that arrive while the first fire-and-forget waits for room.
    func arriveDuringRefusal(_ frame: [UInt8]) { state.withLock { $0.onRefusal.append(frame) } }

    /// Every frame the connection handed over and the carrier took, in order.
    var sent: [[UInt8]] { state.withLock { $0.sent } }

    /// Takes `frame` (copied), or refuses the first fire-and-forget once with `.wouldBlock`.
    func send(_ frame: UnsafeRawBufferPointer) -> SendOutcome {
        let bytes = Array(frame)
        return state.withLock { state in
            if state.refuseFireAndForget, let reader = try? FrameReader(validating: frame), reader.type == .requestFireAndForget {
                state.refuseFireAndForget = false
                state.inbound.append(contentsOf: state.onRefusal)
                return .wouldBlock
            }
            state.sent.append(bytes)
            return .sent
        }
    }

    /// The next frame to deliver, if any.
    func nextInbound() -> [UInt8]? {
        state.withLock { $0.inbound.isEmpty ? nil : $0.inbound.removeFirst() }
    }
}

/// A client carrier driven by a ``ScriptedCarrierLog``: no peer, no waiting.
final class ScriptedClientCarrier: ClientCarrier {
    let log: ScriptedCarrierLog
    let maxFrameLength = 4096

    init(log: ScriptedCarrierLog) { self.log = log }

    func send(_ frame: UnsafeRawBufferPointer) throws(TransportError) -> SendOutcome { log.send(frame) }

    func receive(limit: Int, _ handler: (UnsafeRawBufferPointer) -> Void) throws(TransportError) -> Int {
        var count = 0
        while count < limit, let frame = log.nextInbound() {
            frame.withUnsafeBytes { handler($0) }
            count += 1
        }
        return count
    }

    func waitForWork(timeout: Duration) throws(TransportError) {}

    func close() {}
}

/// Frames the client owes the server (a KEEPALIVE answer, REQUEST_N) while a frame of its
/// own waits for room in the carrier.
@Suite struct ConnectionOwedFrameTests {
    @Test("a KEEPALIVE answered while a fire-and-forget waits for room leaves that fire-and-forget intact")
    func keepaliveDuringBlockedSend() throws {
        let log = ScriptedCarrierLog()
        var keepalive = [UInt8](repeating: 0, count: 64)
        let length = try keepalive.withUnsafeMutableBytes { buffer in
            var writer = FrameWriter(buffer)
            try writer.writeKeepalive(respond: true)
            return writer.written.count
        }
        log.arriveDuringRefusal(Array(keepalive[..<length]))
        let connection = try Connection(carrier: ScriptedClientCarrier(log: log))
        defer { connection.close() }

        let event = Array("an event of forty bytes, give or take...".utf8)
        try event.withUnsafeBytes { try connection.fireAndForget(data: $0) }
        _ = connection.failure  // reads, and sends what is owed

        var fireAndForgets: [[UInt8]] = []
        var keepaliveAnswers = 0
        var others: [String] = []
        for frame in log.sent {
            try frame.withUnsafeBytes { raw in
                let reader = try FrameReader(validating: raw)
                switch reader.type {
                case .requestFireAndForget: fireAndForgets.append(Array(reader.unsafeData))
                case .keepalive where !reader.respond: keepaliveAnswers += 1
                case .setup: break
                default: others.append("\(reader.type) of \(raw.count) bytes")
                }
            }
        }
        // The event went out once, whole; the KEEPALIVE answer after it; nothing else.
        #expect(fireAndForgets == [event])
        #expect(keepaliveAnswers == 1)
        #expect(others.isEmpty, "\(others)")
    }
}
