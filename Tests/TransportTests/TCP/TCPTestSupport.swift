import Glibc
import Posix
import ShmRing
@testable import Transport

/// A TCP server carrier on loopback and the test's thread playing its single writer.
final class TCPTestServer {
    let bell = ProcessDoorbell()
    let carrier: TCPServerCarrier
    /// Every event seen, frames copied.
    var opened: [ConnectionID] = []
    var peers: [ConnectionID: String] = [:]
    var frames: [ConnectionID: [[UInt8]]] = [:]
    var malformed: [ConnectionID: String] = [:]
    var closed: [ConnectionID: CarrierCloseReason] = [:]
    /// Whether frames are sent back as they arrive.
    var echo = true
    /// Frames whose echo met `.wouldBlock`, to retry.
    var backlog: [(ConnectionID, [UInt8])] = []

    init(_ address: String = "127.0.0.1:0", configuration: TCPCarrierConfiguration = TCPCarrierConfiguration()) throws {
        carrier = try TCPServerCarrier(listeningOn: TCPAddress(parsing: address), doorbell: bell.doorbell, configuration: configuration)
    }

    /// One writer step: retry the backlog, poll, echo, flush; sleeps on the doorbell briefly
    /// when nothing happened. Returns the number of events.
    @discardableResult
    func step(sleep: Duration = .milliseconds(1)) -> Int {
        while let (id, bytes) = backlog.first {
            guard bytes.withUnsafeBytes({ carrier.send($0, to: id) }) != .wouldBlock else { break }
            backlog.removeFirst()
        }
        let count = carrier.poll(limit: 256) { event in
            switch event {
            case .opened(let id, let peer):
                opened.append(id)
                peers[id] = peer
            case .frame(let id, let bytes):
                frames[id, default: []].append(Array(bytes))
                if echo {
                    if !backlog.isEmpty || carrier.send(bytes, to: id) == .wouldBlock { backlog.append((id, Array(bytes))) }
                }
            case .malformed(let id, let reason):
                malformed[id] = reason
            case .closed(let id, let reason):
                closed[id] = reason
            }
        }
        carrier.flush()
        if count == 0 {
            let ticket = bell.doorbell.prepareToSleep()
            bell.doorbell.sleep(ticket, timeout: sleep)
        }
        return count
    }

    /// Steps until `done` holds; false when `timeout` passed first.
    func run(timeout: Duration = .seconds(20), until done: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try done() { return true }
            step()
        }
        return try done()
    }

    var port: UInt16 { carrier.boundAddress.port }
}

/// A frame-shaped byte string: a 6-byte header (stream 1, REQUEST_FNF type bits) and `body`.
func testFrame(_ body: [UInt8]) -> [UInt8] {
    [0, 0, 0, 1, 0x14, 0] + body
}

/// `count` bytes of a pattern depending on `seed`.
func pattern(_ count: Int, seed: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7) }
}

/// Receives frames from `client` until `count` arrived or `timeout` passed, while the
/// server steps.
func receive(_ count: Int, from client: TCPClientCarrier, server: TCPTestServer, timeout: Duration = .seconds(20)) throws -> [[UInt8]] {
    var received: [[UInt8]] = []
    _ = try server.run(timeout: timeout) {
        _ = try client.receive(limit: 64) { received.append(Array($0)) }
        return received.count >= count
    }
    return received
}

/// The descriptors this process has open now.
func openDescriptorCount() -> Int {
    var count = 0
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    while readdir(directory) != nil { count += 1 }
    closedir(directory)
    return count - 3  // ".", ".." and the directory's own descriptor
}

/// A raw loopback socket to `port`, for bytes no carrier would send.
func rawConnection(port: UInt16, family: TCPAddress.Family = .ipv4) throws -> Int32 {
    let address = family == .ipv4 ? TCPAddress.loopbackIPv4(port: port) : TCPAddress.loopbackIPv6(port: port)
    return try TCPSocket.connect(to: address, timeout: .seconds(5))
}

/// Writes all of `bytes` to a non-blocking socket (waiting in `poll` when it is full).
func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
    var done = 0
    while done < bytes.count {
        do {
            done += try bytes.withUnsafeBytes { try Sys.write(descriptor, UnsafeRawBufferPointer(rebasing: $0[done...])) }
        } catch let error as SystemCallError where error.errno == .wouldBlock {
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            _ = try Sys.poll(&entry, count: 1, timeoutMilliseconds: 100)
        }
    }
}
