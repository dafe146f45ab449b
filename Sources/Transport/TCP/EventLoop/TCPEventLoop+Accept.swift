import CRingside
import Frames
import Glibc
import Posix
import ShmRing
import Synchronization

/// Accepting connections and handing their slots out and back.
extension TCPEventLoop {
    /// Takes back the slots the writer is done with.
    func drainReturns() -> Int {
        var count = 0
        while let slot = returns.pop() {
            connections[Int(slot)]!.recycle()
            recycledSlots.append(slot)
            count += 1
        }
        return count
    }

    func takeSlot() -> UInt32? {
        if let slot = recycledSlots.popLast() { return slot }
        if drainReturns() > 0 { return recycledSlots.popLast() }
        guard Int(unusedSlot) < configuration.maxConnections else { return nil }
        unusedSlot += 1
        return unusedSlot - 1
    }

    func acceptConnections() {
        for _ in 0..<Self.acceptsPerTurn {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor: Int32
            do throws(SystemCallError) {
                descriptor = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemCallError) in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                        try Sys.accept4(listener, address, &length, flags: Int32(SOCK_NONBLOCK.rawValue))
                    }
                }
            } catch where error.errno == Errno(rawValue: ECONNABORTED) {
                continue
            } catch where error.errno == .wouldBlock {
                return
            } catch {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: the backlog keeps the connections; pause
                // accepting rather than spin on a listener that stays readable.
                pauseAccepting()
                return
            }
            guard let slot = takeSlot(), let connection = connection(at: slot) else {
                TCPSocket.closeQuietly(descriptor)
                rejectedConnections.add(1, ordering: .relaxed)
                continue
            }
            try? TCPSocket.configureConnection(descriptor)
            serial += 1
            let id = ConnectionID(rawValue: serial << TCPCarrierConfiguration.slotBits | UInt64(slot))
            connection.open(descriptor: descriptor, id: id, peer: TCPAddress(socketAddress: storage)?.description ?? "?")
            let interest = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
            do throws(SystemCallError) {
                try Sys.epollControl(epoll, EPOLL_CTL_ADD, descriptor, events: interest, data: id.rawValue)
            } catch {
                TCPSocket.closeQuietly(descriptor)
                connection.descriptor = -1
                connection.phase = .free
                recycledSlots.append(slot)
                continue
            }
            serviceInput(connection)
        }
    }

    /// Takes the listener out of the epoll set for ``acceptPause``.
    func pauseAccepting() {
        guard acceptsResumeAt == nil else { return }
        _ = try? Sys.epollControl(epoll, EPOLL_CTL_MOD, listener, events: 0, data: Self.listenerTag)
        acceptsResumeAt = .now + Self.acceptPause
    }

    /// Puts the listener back once the pause is over; returns whether it did.
    func resumeAcceptingIfDue() -> Int {
        guard let resumeAt = acceptsResumeAt, resumeAt <= .now else { return 0 }
        acceptsResumeAt = nil
        _ = try? Sys.epollControl(epoll, EPOLL_CTL_MOD, listener, events: EPOLLIN.rawValue, data: Self.listenerTag)
        return 1
    }

    /// The connection object of `slot`, made on first use (nil if its queue cannot be mapped).
    func connection(at slot: UInt32) -> TCPConnection? {
        if let existing = connections[Int(slot)] { return existing }
        guard let made = try? TCPConnection(
            slot: slot, outboundCapacity: configuration.outboundCapacity, pool: pool,
            limit: configuration.maxInboundFrameLength, budget: largeFrames) else {
            recycledSlots.append(slot)
            return nil
        }
        connections[Int(slot)] = made
        return made
    }
}
