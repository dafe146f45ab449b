import CRingside
import Frames
import Glibc
import Posix
import ShmRing
import Synchronization

/// Writing the connections' outbound queues, and closing on request.
extension TCPEventLoop {
    /// Takes the writer's requests: for each slot, a close request if any, then its output.
    func drainRequests() -> Int {
        var count = 0
        while let slot = requests.pop() {
            count += 1
            guard let connection = connections[Int(slot)] else { continue }
            // A read-modify-write, so it synchronises with the writer's last `exchange(true)`
            // and sees every frame queued before it.
            _ = connection.requested.exchange(false, ordering: .sequentiallyConsistent)
            if connection.closeRequested.load(ordering: .acquiring) { beginClose(connection) }
            writeOut(connection)
        }
        return count
    }

    /// Writes what the connection's queue holds with one `sendmsg` (a `writev` of two regions
    /// when the queue wraps).
    func writeOut(_ connection: TCPConnection) {
        switch connection.phase {
        case .open, .malformed, .flushing: break
        case .free, .draining, .closed: return
        }
        guard connection.writable else { return }
        let (first, second) = connection.outbound.pending()
        let total = first.count + second.count
        guard total > 0 else {
            if connection.phase == .flushing { shutDownOutput(connection) }
            return
        }
        var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count))
        var written = 0
        do throws(SystemCallError) {
            written = try withUnsafeMutablePointer(to: &vectors) { pair throws(SystemCallError) in
                try pair.withMemoryRebound(to: iovec.self, capacity: 2) { vector throws(SystemCallError) in
                    try Sys.send(connection.descriptor, vectors: vector, count: second.count > 0 ? 2 : 1) ?? 0
                }
            }
        } catch {
            fail(connection, error)
            return
        }
        if written > 0 {
            connection.outbound.consume(written)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            if connection.sendBlocked.load(ordering: .relaxed),
               connection.sendBlocked.exchange(false, ordering: .sequentiallyConsistent) {
                roomThisTurn = true
            }
        }
        if written < total {
            connection.writable = false
            connection.outputBackedUp = true
            return
        }
        if connection.outputBackedUp {
            connection.outputBackedUp = false
            if connection.readable, connection.phase == .open { addToInputList(connection) }
        }
        if connection.phase == .flushing, connection.outbound.isEmpty { shutDownOutput(connection) }
    }

    /// A write failed for good: the connection ends after the frames already read.
    func fail(_ connection: TCPConnection, _ error: SystemCallError) {
        if connection.phase == .open {
            connection.ending = .ioError(error)
            connection.readable = false
            serviceInput(connection)
        } else {
            end(connection, connection.phase == .malformed ? .ioError(error) : .closedLocally)
        }
    }

    /// A close on request: stop reading, write out what is queued (``writeOut(_:)`` then
    /// shuts the socket down for writing), all within the linger time.
    func beginClose(_ connection: TCPConnection) {
        switch connection.phase {
        case .open, .malformed: break
        case .free, .flushing, .draining, .closed: return
        }
        if connection.phase == .open, connection.ending != nil { return }  // already ending
        connection.phase = .flushing
        connection.pendingMalformed = nil
        connection.assembler.releaseBuffer()
        connection.closeDeadline = .now + configuration.closeLinger
        closing.append(connection.slot)
    }

    /// Output written out: send FIN, then discard input until the peer closes, so that
    /// closing never resets the connection under data the peer has not read yet.
    func shutDownOutput(_ connection: TCPConnection) {
        _ = try? Sys.shutdown(connection.descriptor, Int32(SHUT_WR))
        connection.phase = .draining
        connection.readable = true
        discardInput(connection)
    }

    func discardInput(_ connection: TCPConnection) {
        for _ in 0..<configuration.readsPerTurn {
            do throws(SystemCallError) {
                guard let count = try Sys.readAvailable(connection.descriptor, into: scratch) else {
                    connection.readable = false
                    return
                }
                if count == 0 { return end(connection, .closedLocally) }
            } catch {
                return end(connection, .closedLocally)
            }
        }
        addToInputList(connection)
    }

    /// Ends the closes whose linger time has run out.
    func expireCloses() -> Int {
        let now = ContinuousClock.now
        var expired = 0
        var index = 0
        while index < closing.count {
            let connection = connections[Int(closing[index])]!
            if let deadline = connection.closeDeadline, deadline <= now {
                expired += 1
                end(connection, .closedLocally)  // removes it from `closing`
            } else {
                index += 1
            }
        }
        return expired
    }
}
