import Foundation
import Glibc
@testable import LabKit
import Posix
import Testing

/// The lab's RESP client against a recorded exchange (and malformed replies), and against a
/// live `redis-server` where one is installed.
@Suite struct RESPClientTests {
    /// What `redis-cli` sends and a Redis 7 server answers for the peers suite's commands
    /// (recorded with `socat -x`), the replies cut in awkward places when replayed.
    static let recordedCommands: [([String], String)] = [
        (["PING"], "*1\r\n$4\r\nPING\r\n"),
        (["ZADD", "timeline:00001", "7", "member-0000000001"], "*4\r\n$4\r\nZADD\r\n$14\r\ntimeline:00001\r\n$1\r\n7\r\n$17\r\nmember-0000000001\r\n"),
        (["ZREVRANGE", "timeline:00001", "0", "9"], "*4\r\n$9\r\nZREVRANGE\r\n$14\r\ntimeline:00001\r\n$1\r\n0\r\n$1\r\n9\r\n"),
    ]
    static let recordedReplies = "+PONG\r\n:1\r\n*2\r\n$17\r\nmember-0000000002\r\n$17\r\nmember-0000000001\r\n"
        + "*0\r\n$-1\r\n*-1\r\n-ERR wrong number of arguments for 'zadd' command\r\n"

    @Test func commandsAreEncodedAsRedisCliSendsThem() {
        for (arguments, recorded) in Self.recordedCommands {
            #expect(RESP.command(arguments.map { Array($0.utf8) }) == Array(recorded.utf8))
        }
        #expect(RESP.command([[0, 13, 10, 255]]) == Array("*1\r\n$4\r\n".utf8) + [0, 13, 10, 255] + [13, 10])
    }

    @Test func recordedRepliesReadOverASocketInSmallPieces() throws {
        let (client, server) = try Sys.socketPair()
        let resp = RESPClient(descriptor: client, bufferSize: 16)  // grows for the 17-byte members
        defer { try? Sys.close(server) }
        let replies = Array(Self.recordedReplies.utf8)
        let writer = Thread {
            // Three bytes at a time: every reply arrives split.
            for start in stride(from: 0, to: replies.count, by: 3) {
                _ = replies[start..<min(replies.count, start + 3)].withUnsafeBytes { try? Sys.writeFully(server, $0) }
                usleep(200)
            }
        }
        writer.start()
        #expect(try resp.readReply() == .simple("PONG"))
        #expect(try resp.readReply() == .integer(1))
        #expect(try resp.readReply() == .array([.bulk(Array("member-0000000002".utf8)), .bulk(Array("member-0000000001".utf8))]))
        #expect(try resp.readReply() == .array([]))
        #expect(try resp.readReply() == .bulk(nil))
        #expect(try resp.readReply() == .array(nil))
        #expect(try resp.readReply() == .error("ERR wrong number of arguments for 'zadd' command"))
        // The server hangs up: a clear error, not a hang or a trap.
        try Sys.shutdown(server, Int32(SHUT_WR))
        #expect(throws: RESPError.closed) { try resp.readReply() }
    }

    @Test func aServerErrorIsThrownByCall() throws {
        let (client, server) = try Sys.socketPair()
        let resp = RESPClient(descriptor: client)
        defer { try? Sys.close(server) }
        let reply = Array("-ERR unknown command 'NOPE'\r\n".utf8)
        try reply.withUnsafeBytes { try Sys.writeFully(server, $0) }
        #expect(throws: RESPError.server("ERR unknown command 'NOPE'")) { try resp.call("NOPE") }
        var sent = [UInt8](repeating: 0, count: 64)
        let count = try sent.withUnsafeMutableBytes { try Sys.read(server, into: $0) }
        #expect(Array(sent[..<count]) == RESP.command("NOPE"))
    }

    /// Parses `text` alone.
    static func parse(_ text: String) throws -> RESPValue? {
        try Array(text.utf8).withUnsafeBytes { try RESP.parse($0, from: 0)?.value }
    }

    @Test func malformedRepliesAreTypedErrorsNamingTheField() throws {
        #expect(throws: RESPError.unknownType(UInt8(ascii: "!"))) { try Self.parse("!oops\r\n") }
        #expect(throws: RESPError.badNumber(field: "integer reply")) { try Self.parse(":12a\r\n") }
        #expect(throws: RESPError.badNumber(field: "bulk string length")) { try Self.parse("$-2\r\n") }
        #expect(throws: RESPError.badNumber(field: "array count")) { try Self.parse("*\r\n") }
        #expect(throws: RESPError.badNumber(field: "integer reply")) { try Self.parse(":99999999999999999999\r\n") }
        #expect(throws: RESPError.tooLarge(field: "bulk string length", value: 1 << 40)) { try Self.parse("$\(1 << 40)\r\n") }
        #expect(throws: RESPError.tooLarge(field: "array count", value: 1 << 30)) { try Self.parse("*\(1 << 30)\r\n") }
        #expect(throws: RESPError.missingLineEnd) { try Self.parse("+OK\n") }
        #expect(throws: RESPError.missingLineEnd) { try Self.parse("$2\r\nabcd\r\n") }
        #expect(throws: RESPError.tooLarge(field: "array count", value: 1)) { try Self.parse(String(repeating: "*1\r\n", count: 20) + ":1\r\n") }
        // Incomplete is not an error: more bytes are awaited.
        #expect(try Self.parse("$5\r\nab") == nil)
        #expect(try Self.parse("*2\r\n:1\r\n") == nil)
        #expect(try Self.parse("+OK\r") == nil)
        #expect(try Self.parse("") == nil)
    }

    @Test(.enabled(if: RedisServer.executable() != nil, "redis-server is not installed (apt-get install redis-server)"))
    func liveRedisServer() throws {
        let server = try RedisServer(executable: RedisServer.executable()!, timeLimit: .seconds(60))
        let client = try server.connect()
        #expect(try client.call("PING") == .simple("PONG"))
        // The peers suite's commands, one of them pipelined with binary members.
        var batch: [UInt8] = []
        for score in 1...20 {
            RESP.appendCommand([Array("ZADD".utf8), Array("timeline:00001".utf8), Array(String(score).utf8), [0, 1, 13, 10, UInt8(score)]], to: &batch)
        }
        try batch.withUnsafeBytes { try client.send($0) }
        var added = 0
        try client.readReplies(20) { reply in
            if case .integer(1) = reply { added += 1 }
        }
        #expect(added == 20)
        let top = try client.call("ZREVRANGE", "timeline:00001", "0", "9")
        #expect(top == .array((11...20).reversed().map { .bulk([0, 1, 13, 10, UInt8($0)]) }))
        #expect(throws: RESPError.self) { try client.call("ZADD", "timeline:00001", "not-a-score", "m") }
        let port = server.port
        server.stop()
        #expect(throws: SystemCallError.self) { _ = try RESPClient(loopbackPort: port) }
    }
}
