import Glibc
import PeerSupport
import ShmRing
import Transport

// A helper process for TransportTests: a shared-memory client or server in a process of its
// own, so tests can kill it with SIGKILL. Usage: transport-peer ROLE NAME ARGS...
// Exit status 0 on success, 1 on a failure, 2 on bad usage.

/// Fails the peer with a message on standard error.
func fail(_ message: String, status: Int32 = 1) -> Never {
    var line = "transport-peer: \(message)\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: transport-peer ROLE NAME ARGS...", status: 2) }
let role = arguments[0]
let name = arguments[1]

/// Argument `index` as an integer.
func integer(_ index: Int) -> Int {
    guard index < arguments.count, let value = Int(arguments[index]) else { fail("argument \(index) must be an integer", status: 2) }
    return value
}

/// Connects to the server, retrying for up to 10 s while it is not there yet.
func connect() -> SharedMemoryClientCarrier {
    let deadline = ContinuousClock.now + .seconds(10)
    while true {
        do {
            return try SharedMemoryClientCarrier(configuration: .init(name: name))
        } catch .serverNotFound(let why) {
            if ContinuousClock.now > deadline { fail("no server: \(why)") }
            usleep(5_000)
        } catch {
            fail("connect: \(error)")
        }
    }
}

/// Sends `count` frames (forever when negative) of `length` bytes as `producer`, waiting
/// while the ring is full, then closes.
func produce(producer: UInt32, count: Int, length: Int) {
    let client = connect()
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 8)
    var sequence: UInt64 = 0
    do {
        while count < 0 || sequence < UInt64(count) {
            PeerMessage(producer: producer, sequence: sequence).encode(into: scratch)
            if try client.send(UnsafeRawBufferPointer(scratch)) == .sent {
                sequence += 1
            } else {
                try client.waitForWork(timeout: .milliseconds(10))
            }
            _ = try client.receive(limit: 64) { _ in }
        }
    } catch {
        fail("producer \(producer) after \(sequence) frames: \(error)", status: 3)
    }
    client.close()
}

/// Runs a server that echoes every frame back, for `seconds` (forever when negative); with
/// `resultFile`, measures this process's CPU time (`/proc/self/stat`, utime + stime) from the
/// first connection on and writes `TICKS CLK_TCK` there.
func serve(seconds: Int, resultFile: String?) {
    let server: SharedMemoryServerCarrier
    do { server = try SharedMemoryServerCarrier(configuration: .init(name: name, clientToServerCapacity: 64 * 1024, serverToClientCapacity: 64 * 1024)) } catch {
        fail("serve: \(error)")
    }
    var startTicks: Int?
    var until: ContinuousClock.Instant?
    let handle: (CarrierEvent) -> Void = { event in
        switch event {
        case .opened:
            if startTicks == nil {
                startTicks = cpuTicks()
                if seconds >= 0 { until = .now + .seconds(seconds) }
            }
        case .frame(let id, let bytes):
            _ = server.send(bytes, to: id)
        case .malformed(let id, _):
            server.close(id)
        case .closed:
            break
        }
    }
    while until.map({ ContinuousClock.now < $0 }) ?? true {
        if server.poll(limit: 256, handle) == 0 { server.waitForWork(timeout: .milliseconds(100)) }
        server.flush()
    }
    let used = cpuTicks() - (startTicks ?? 0)
    server.shutdown()
    if let resultFile {
        let line = "\(used) \(sysconf(Int32(_SC_CLK_TCK)))\n"
        guard let file = fopen(resultFile, "w") else { fail("cannot write \(resultFile)") }
        fputs(line, file)
        fclose(file)
    }
}

/// utime + stime of this process, in clock ticks (fields 14 and 15 of `/proc/self/stat`).
func cpuTicks() -> Int {
    guard let file = fopen("/proc/self/stat", "r") else { fail("cannot read /proc/self/stat") }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 4096)
    guard fgets(&buffer, Int32(buffer.count), file) != nil else { fail("empty /proc/self/stat") }
    let line = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let close = line.lastIndex(of: ")") else { fail("bad /proc/self/stat") }
    let fields = line[line.index(after: close)...].split(separator: " ")
    // fields[0] is field 3; utime (14) and stime (15) are fields[11] and fields[12].
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { fail("bad /proc/self/stat") }
    return user + system
}

switch role {
case "produce":
    // produce NAME PRODUCER COUNT LENGTH: COUNT < 0 sends until killed.
    produce(producer: UInt32(integer(2)), count: integer(3), length: integer(4))
case "serve":
    // serve NAME: an echo server until killed.
    serve(seconds: -1, resultFile: nil)
case "idle-server":
    // idle-server NAME SECONDS FILE: serves SECONDS from the first connection, then writes
    // its CPU ticks over that time to FILE and shuts down.
    guard arguments.count > 3 else { fail("usage: transport-peer idle-server NAME SECONDS FILE", status: 2) }
    serve(seconds: integer(2), resultFile: arguments[3])
case "claim-connect":
    // claim-connect NAME: claims a record in the server's connect ring and stops itself
    // (SIGSTOP) before committing it; the test kills it, leaving the claim behind.
    do {
        let segment = try SharedMemorySegment.open(name: "/\(name)-ctl")
        let ring = try ManyToOneRing(segment: segment, region: 1)
        guard let claim = try ring.tryClaim(type: 1, length: 32) else { fail("connect ring full") }
        raise(SIGSTOP)
        claim.abort()  // never reached: the test kills this process while it is stopped
        fail("resumed after SIGSTOP; the test should have killed this process")
    } catch {
        fail("\(error)")
    }
case "hold":
    // hold NAME: connects, then does nothing until killed (its channel stays mapped).
    withExtendedLifetime(connect()) { while true { pause() } }
default:
    fail("unknown role \(role)", status: 2)
}
