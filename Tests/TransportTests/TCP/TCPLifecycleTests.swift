import Glibc
import Posix
import Testing
@testable import Transport

extension TCPTests {
    @Suite("TCP carrier: connections coming and going")
    struct Lifecycle {
        @Test("a peer's clean close gives .closed(peerClosed) after its frames")
        func peerClose() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            server.echo = false
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            let frame = testFrame([9])
            _ = try frame.withUnsafeBytes { try client.send($0) }
            client.close()
            #expect(server.run { !server.closed.isEmpty })
            let id = try #require(server.opened.first)
            #expect(server.frames[id] == [frame])
            #expect(server.closed[id] == .peerClosed)
            #expect(server.carrier.send(UnsafeRawBufferPointer(start: nil, count: 0), to: id) == .closed)
            #expect(throws: TransportError.closed) { try client.receive(limit: 1) { _ in } }
        }

        @Test("a peer's reset gives .closed(ioError ECONNRESET)")
        func peerReset() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            let raw = try rawConnection(port: server.port)
            #expect(server.run { server.opened.count == 1 })
            try Sys.setSocketOption(raw, level: SOL_SOCKET, option: SO_LINGER, structure: linger(l_onoff: 1, l_linger: 0))
            try Sys.close(raw)
            #expect(server.run { !server.closed.isEmpty })
            guard case .ioError(let error)? = server.closed[server.opened[0]] else {
                Issue.record("closed: \(String(describing: server.closed.first))"); return
            }
            #expect(error.errno == .connectionReset)
        }

        @Test("close(id) writes out what was sent, then the client sees the end; .closed(closedLocally) follows")
        func localClose() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { client.close() }
            #expect(server.run { server.opened.count == 1 })
            let id = server.opened[0]
            let frames = (0..<20).map { testFrame(pattern(3000, seed: $0)) }
            for frame in frames { #expect(frame.withUnsafeBytes { server.carrier.send($0, to: id) } == .sent) }
            server.carrier.close(id)
            server.carrier.close(id)  // harmless
            #expect(frames[0].withUnsafeBytes { server.carrier.send($0, to: id) } == .closed)
            var received: [[UInt8]] = []
            var ending: TransportError?
            _ = server.run {
                do throws(TransportError) {
                    _ = try client.receive(limit: 64) { received.append(Array($0)) }
                } catch {
                    ending = error
                }
                return ending != nil
            }
            #expect(received == frames)
            guard case .serverGone? = ending else { Issue.record("\(String(describing: ending))"); return }
            #expect(server.run { server.closed[id] != nil })
            #expect(server.closed[id] == .closedLocally)
        }

        @Test("connecting where nobody listens is serverNotFound; a server shut down is serverGone")
        func clientErrors() throws {
            let server = try TCPTestServer()
            let port = server.port
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { client.close() }
            #expect(server.run { server.opened.count == 1 })
            server.carrier.shutdown()
            server.carrier.shutdown()  // idempotent
            #expect(server.step(sleep: .zero) == 0)
            var ending: TransportError?
            let deadline = ContinuousClock.now + .seconds(10)
            while ending == nil, ContinuousClock.now < deadline {
                do {
                    _ = try client.receive(limit: 1) { _ in }
                    try client.waitForWork(timeout: .milliseconds(50))
                } catch {
                    ending = error
                }
            }
            guard case .serverGone? = ending else { Issue.record("\(String(describing: ending))"); return }
            #expect(throws: TransportError.self) { try testFrame([]).withUnsafeBytes { try client.send($0) } }
            do {
                _ = try TCPClientCarrier(connectingTo: TCPAddress.loopbackIPv4(port: port))
                Issue.record("connected to a closed port")
            } catch {
                guard case .serverNotFound(let what) = error else { Issue.record("\(error)"); return }
                #expect(what.contains("127.0.0.1:\(port)"))
            }
        }

        @Test("a receive handler may close the client carrier: no later frame, then .closed")
        func closeInsideHandler() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            client.autoFlush = false
            let frames = (0..<5).map { testFrame([UInt8($0)]) }
            for frame in frames { _ = try frame.withUnsafeBytes { try client.send($0) } }
            try client.flush()
            var received: [[UInt8]] = []
            _ = try server.run {
                _ = try client.receive(limit: 16) { frame in
                    received.append(Array(frame))
                    if received.count == 2 { client.close() }
                }
                return !received.isEmpty && (received.count >= 2 || server.frames.values.first?.count == frames.count)
                    && received.count >= 2
            }
            #expect(received == Array(frames.prefix(2)))
            #expect(throws: TransportError.closed) { try client.receive(limit: 1) { _ in } }
        }

        @Test("a server that resets the connection is serverGone on the client, after the frames before it")
        func serverReset() throws {
            let (listener, bound) = try TCPSocket.listen(on: .loopbackIPv4(port: 0), backlog: 4)
            defer { try? Sys.close(listener) }
            let client = try TCPClientCarrier(connectingTo: bound)
            defer { client.close() }
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            _ = try Sys.poll(&entry, count: 1, timeoutMilliseconds: 5000)
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let accepted = try withUnsafeMutablePointer(to: &storage) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try Sys.accept4(listener, $0, &length, flags: 0) }
            }
            let frame = testFrame([7, 7])
            try writeAll(accepted, [0, 0, UInt8(frame.count)] + frame)
            usleep(50_000)
            try Sys.setSocketOption(accepted, level: SOL_SOCKET, option: SO_LINGER, structure: linger(l_onoff: 1, l_linger: 0))
            try Sys.close(accepted)
            var received: [[UInt8]] = []
            var ending: TransportError?
            let deadline = ContinuousClock.now + .seconds(10)
            while ending == nil, ContinuousClock.now < deadline {
                do {
                    _ = try client.receive(limit: 4) { received.append(Array($0)) }
                    try client.waitForWork(timeout: .milliseconds(50))
                } catch {
                    ending = error
                }
            }
            #expect(received == [frame])
            guard case .serverGone(let why)? = ending else {
                Issue.record("\(String(describing: ending))"); return
            }
            #expect(why.contains("reset") || why.contains("closed"), "\(why)")
        }

        @Test("beyond maxConnections a connection is accepted and closed at once; the others carry on")
        func connectionLimit() throws {
            var configuration = TCPCarrierConfiguration()
            configuration.maxConnections = 2
            let server = try TCPTestServer(configuration: configuration)
            defer { server.carrier.shutdown() }
            let first = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            let second = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            #expect(server.run { server.opened.count == 2 })
            let third = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            var ending: TransportError?
            _ = server.run {
                do throws(TransportError) { _ = try third.receive(limit: 1) { _ in } } catch { ending = error }
                return ending != nil
            }
            #expect(server.carrier.rejectedConnections == 1)
            guard case .serverGone? = ending else { Issue.record("\(String(describing: ending))"); return }
            // A slot given back is used again.
            first.close()
            #expect(server.run { server.closed.count == 1 })
            let fourth = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            #expect(server.run { server.opened.count == 3 })
            let frame = testFrame([4])
            _ = try frame.withUnsafeBytes { try fourth.send($0) }
            #expect(try receive(1, from: fourth, server: server) == [frame])
            #expect(server.carrier.rejectedConnections == 1)
            [second, third, fourth].forEach { $0.close() }
        }

        @Test("out of descriptors, accepting pauses instead of spinning, then resumes")
        func acceptPause() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            FailureInjection.arm(.accept4, with: Errno(rawValue: EMFILE))
            defer { FailureInjection.disarmAll() }
            let started = ContinuousClock.now
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { client.close() }
            #expect(server.run { server.opened.count == 1 })
            #expect(ContinuousClock.now - started >= TCPEventLoop.acceptPause / 2)
            let frame = testFrame([5])
            _ = try frame.withUnsafeBytes { try client.send($0) }
            #expect(try receive(1, from: client, server: server) == [frame])
        }

        @Test("no descriptor leaks: sockets, epoll and eventfd all closed after shutdown")
        func noLeaks() throws {
            // By identity, not by count: tests in other suites open and close sockets meanwhile.
            let before = transportDescriptors()
            var created: Set<String> = []
            do {
                let server = try TCPTestServer()
                let clients = try (0..<20).map { _ in try TCPClientCarrier(connectingTo: server.carrier.boundAddress) }
                #expect(server.run { server.opened.count == 20 })
                let frame = testFrame([1])
                for client in clients { _ = try frame.withUnsafeBytes { try client.send($0) } }
                #expect(server.run { server.frames.count == 20 })
                clients.prefix(10).forEach { $0.close() }
                #expect(server.run { server.closed.count == 10 })
                created = transportDescriptors().subtracting(before)
                #expect(created.count >= 20, "\(created.count) descriptors created")
                server.carrier.shutdown()
                clients.forEach { $0.close() }
            }
            var left = created.intersection(transportDescriptors())
            let deadline = ContinuousClock.now + .seconds(2)
            while !left.isEmpty, ContinuousClock.now < deadline {
                usleep(10_000)
                left = created.intersection(transportDescriptors())
            }
            #expect(left.isEmpty, "still open: \(left.sorted())")
        }

        @Test("an idle server's I/O thread sleeps: next to no CPU over half a second")
        func idleCostsNothing() throws {
            let server = try TCPTestServer()
            defer { server.carrier.shutdown() }
            let client = try TCPClientCarrier(connectingTo: server.carrier.boundAddress)
            defer { client.close() }
            #expect(server.run { server.opened.count == 1 })
            let thread = try #require(server.carrier.ioThreadID)
            let start = threadCPUTicks(thread)
            usleep(500_000)
            let used = threadCPUTicks(thread) - start
            #expect(start >= 0)
            #expect(used <= 2, "\(used) ticks of CPU while idle")
        }
    }
}

/// The process's descriptors that are sockets, epoll sets or eventfds, each as `FD TARGET`
/// (a socket's target names its inode, so a number reused by another socket reads anew).
func transportDescriptors() -> Set<String> {
    var found: Set<String> = []
    guard let directory = opendir("/proc/self/fd") else { return found }
    defer { closedir(directory) }
    var target = [CChar](repeating: 0, count: 256)
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
        guard length > 0 else { continue }
        let link = String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if link.hasPrefix("socket:") || link.contains("eventpoll") || link.contains("eventfd") { found.insert("\(name) \(link)") }
    }
    return found
}

/// The CPU ticks (user plus system, in clock ticks) the thread `id` of this process has used,
/// from `/proc/self/task/ID/stat`; -1 when it cannot be read.
func threadCPUTicks(_ id: Int32) -> Int {
    guard let stat = readText("/proc/self/task/\(id)/stat"), let close = stat.lastIndex(of: ")") else { return -1 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return -1 }
    return user + system
}

private func readText(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 1024)
    guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
