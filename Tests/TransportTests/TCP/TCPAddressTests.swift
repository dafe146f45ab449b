import Testing
import Transport

@Suite("TCP addresses")
struct TCPAddressTests {
    @Test("numeric IPv4, bracketed IPv6, localhost and the any-address forms parse and print back")
    func parses() throws {
        #expect(try TCPAddress(parsing: "127.0.0.1:5555").description == "127.0.0.1:5555")
        #expect(try TCPAddress(parsing: "127.0.0.1:5555").family == .ipv4)
        #expect(try TCPAddress(parsing: "[::1]:80").description == "[::1]:80")
        #expect(try TCPAddress(parsing: "[::1]:80").family == .ipv6)
        #expect(try TCPAddress(parsing: "[::]:0").description == "[::]:0")
        #expect(try TCPAddress(parsing: "localhost:7").description == "127.0.0.1:7")
        #expect(try TCPAddress(parsing: ":9000").description == "0.0.0.0:9000")
        #expect(try TCPAddress(parsing: "*:9000").description == "0.0.0.0:9000")
        #expect(try TCPAddress(parsing: "10.1.2.3:65535").port == 65535)
        #expect(TCPAddress.loopbackIPv6(port: 1) == (try TCPAddress(parsing: "[::1]:1")))
    }

    @Test("malformed addresses are refused with a reason naming the problem",
          arguments: [
              ("127.0.0.1", "expected HOST:PORT"),
              ("127.0.0.1:", "missing port"),
              ("127.0.0.1:65536", "0 to 65535"),
              ("127.0.0.1:-1", "0 to 65535"),
              ("127.0.0.1:80x", "0 to 65535"),
              ("::1:80", "needs brackets"),
              ("[::1:80", "closing ']'"),
              ("[::1]80", "':PORT' after ']'"),
              ("[1.2.3.4]:80", "not a numeric IPv6"),
              ("example.com:80", "not a numeric IPv4"),
              ("256.1.1.1:80", "not a numeric IPv4"),
          ])
    func refuses(text: String, reason: String) {
        do {
            _ = try TCPAddress(parsing: text)
            Issue.record("'\(text)' parsed")
        } catch {
            guard case .invalidArgument(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains(reason), "\(why)")
            #expect(why.contains(text), "\(why)")
        }
    }
}
