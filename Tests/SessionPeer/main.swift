import Glibc
import Transport

// A helper process for TransportTests: a session client (a `Connection` over the
// shared-memory carrier) in a process of its own, so tests can kill it with SIGKILL.
//
//     session-peer fnf NAME PRODUCER COUNT
//
// sends COUNT fire-and-forget frames (forever when COUNT is negative), each carrying the
// producer's id (u32) and a sequence number (u64), then one request-response `done`, whose
// answer means the server has handled every frame before it; then closes. Exit status 0 on
// success, 1 on a failure, 2 on bad usage.

/// Fails the peer with a message on standard error.
func fail(_ message: String, status: Int32 = 1) -> Never {
    var line = "session-peer: \(message)\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 4, arguments[0] == "fnf", let producer = UInt32(arguments[2]), let count = Int(arguments[3]) else {
    fail("usage: session-peer fnf NAME PRODUCER COUNT", status: 2)
}
let name = arguments[1]

/// Connects, retrying for up to 10 s while the server is not there yet.
func connect() -> Connection {
    let deadline = ContinuousClock.now + .seconds(10)
    while true {
        do {
            let carrier = try SharedMemoryClientCarrier(configuration: .init(name: name))
            return try Connection(carrier: carrier, configuration: ConnectionConfiguration(dataMIMEType: "application/octet-stream"))
        } catch .serverNotFound(let why) {
            if ContinuousClock.now > deadline { fail("no server: \(why)") }
            usleep(5_000)
        } catch {
            fail("connect: \(error)")
        }
    }
}

let connection = connect()
var frame = [UInt8](repeating: 0, count: 16)
var sequence: UInt64 = 0
do {
    while count < 0 || sequence < UInt64(count) {
        frame.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: producer.littleEndian, toByteOffset: 0, as: UInt32.self)
            bytes.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        }
        try frame.withUnsafeBytes { bytes in try connection.fireAndForget(data: bytes) }
        sequence += 1
    }
    let answer = try Array("done".utf8).withUnsafeBytes { bytes in try connection.requestResponse(data: bytes) { Array($0.unsafeData) } }
    guard answer == Array("done".utf8) else { fail("unexpected answer \(answer)") }
} catch {
    fail("producer \(producer) after \(sequence) frames: \(error)")
}
connection.close()
exit(0)
