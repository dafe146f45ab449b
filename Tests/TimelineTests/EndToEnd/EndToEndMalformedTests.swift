import Frames
import Testing
import Timeline
import Transport

/// Malformed payloads over both real carriers, in both encodings: an ERROR on their stream,
/// and the connection (and the others) keep working.
@Suite("End to end: malformed payloads")
struct EndToEndMalformedTests {
    static let cases: [(TestCarrier, TimelineEncoding)] = [TestCarrier.sharedMemory, .tcp].flatMap { carrier in
        TimelineEncoding.allCases.map { (carrier, $0) }
    }

    /// A raw connection to `server` over `carrier`, speaking `encoding`.
    static func connection(_ server: ClientTestServer, _ carrier: TestCarrier, _ encoding: TimelineEncoding) throws -> Connection {
        let configuration = ConnectionConfiguration(dataMIMEType: encoding.mimeType, requestTimeout: .seconds(10))
        switch carrier {
        case .sharedMemory:
            return try Connection(carrier: try SharedMemoryClientCarrier(configuration: .init(name: server.name)), configuration: configuration)
        default:
            return try Connection(
                carrier: try TCPClientCarrier(connectingTo: .loopbackIPv4(port: server.server.tcpAddress!.port)), configuration: configuration)
        }
    }

    /// The request-response answer to `data`: its bytes, or the ERROR's code and reason.
    static func ask(_ connection: Connection, _ data: [UInt8]) throws -> Result<[UInt8], TransportError> {
        do throws(TransportError) {
            return .success(try data.withUnsafeBytes { bytes in
                Result { () throws(TransportError) in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
            }.get())
        } catch {
            return .failure(error)
        }
    }

    @Test("a malformed payload gets an ERROR on its stream; the connection keeps working", arguments: cases)
    func malformedPayloads(carrier: TestCarrier, encoding: TimelineEncoding) async throws {
        let server = try ClientTestServer("mal")
        defer { server.stop() }
        let connection = try Self.connection(server, carrier, encoding)
        defer { connection.close() }
        let bystander = try server.client(carrier)
        defer { bystander.close() }
        let malformed: [[UInt8]] = encoding == .binary
            ? [[], [0x01], [0x7f, 0x00], [0x01, 0x00] + [UInt8](repeating: 0xff, count: 12), [0x03, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1]]
            : [Array("not json".utf8), Array(#"{"op":"nope","key":"k"}"#.utf8), Array(#"{"op":"insert","key":"k","score":"x","member":"m"}"#.utf8), []]
        for data in malformed {
            switch try Self.ask(connection, data) {
            case .failure(.rejected(let code, let reason)):
                #expect(code == 0x204 || code == 0x201, "\(data): code 0x\(String(code, radix: 16))")
                #expect(!reason.isEmpty)
            case let other:
                Issue.record("\(data): expected an ERROR, got \(other)")
            }
            // Fire-and-forget garbage is dropped (and counted) without an answer.
            try data.withUnsafeBytes { bytes in try connection.fireAndForget(data: bytes) }
        }
        // A malformed tail fails its stream only.
        let badTail = try connection.requestStream(data: encoding == .binary ? [0x04, 0x00, 0x00, 0x09] : Array(#"{"op":"tail"}"#.utf8))
        do {
            for try await _ in badTail { Issue.record("a malformed tail delivered an event") }
            Issue.record("a malformed tail completed instead of failing")
        } catch let error as TransportError {
            guard case .rejected = error else { Issue.record("expected an ERROR, got \(error)"); return }
        }
        // The same connection still answers a good request, and so does another client.
        let good: [UInt8]
        switch encoding {
        case .binary:
            // insert k 1 m: operation, reserved, score, key and member lengths, key, member.
            good = [0x01, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x01, 0x6b, 0x6d]
        case .json:
            good = Array(#"{"op":"insert","key":"k","score":1,"member":"m"}"#.utf8)
        }
        guard case .success(let answer) = try Self.ask(connection, good) else {
            Issue.record("the connection no longer answers")
            return
        }
        #expect(encoding == .binary ? answer == [0x81, 0x00] : String(decoding: answer, as: UTF8.self).contains("\"ok\""))
        #expect(connection.failure == nil)
        #expect(try bystander.select(key: "k".utf8) == [TimelineEntry(member: "m", score: 1)])
    }
}
