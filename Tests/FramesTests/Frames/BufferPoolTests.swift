import Dispatch
import Synchronization
import Testing
@testable import Frames

struct BufferPoolTests {
    @Test("leases come from the pool, go back when dropped, and are counted")
    func leaseAndReturn() {
        let pool = BufferPool(bufferSize: 100, capacity: 2)
        var first = pool.lease()
        let second = pool.lease()
        #expect(first.capacity == 100 && first.count == 0)
        let addresses = [first.withUnsafeMutableBytes { Int(bitPattern: $0.baseAddress) }, second.withUnsafeBytes { _ in 0 }]
        #expect(addresses[0] % 64 == 0, "buffers are cache-line aligned")
        #expect(pool.counters.outstanding == 2 && pool.counters.highWaterMark == 2 && pool.counters.misses == 0)
        first.release()
        #expect(pool.counters.outstanding == 1 && pool.counters.returns == 1)
        _ = consume second
        let counters = pool.counters
        #expect(counters.leases == 2 && counters.returns == 2 && counters.outstanding == 0 && counters.highWaterMark == 2)
    }

    @Test("a returned buffer is reused; a lease beyond the capacity is a counted miss")
    func reuseAndMiss() {
        let pool = BufferPool(bufferSize: 64, capacity: 1)
        var a = pool.lease()
        let address = a.withUnsafeMutableBytes { Int(bitPattern: $0.baseAddress) }
        var miss = pool.lease()
        #expect(miss.withUnsafeMutableBytes { Int(bitPattern: $0.baseAddress) } != address)
        #expect(pool.counters.misses == 1 && pool.counters.highWaterMark == 2)
        miss.release()
        a.release()
        var again = pool.lease()
        #expect(again.withUnsafeMutableBytes { Int(bitPattern: $0.baseAddress) } == address)
        #expect(pool.counters.misses == 1 && pool.counters.outstanding == 1)
    }

    @Test("a frame writer writes straight into a leased buffer and sets its count")
    func frameIntoLease() throws {
        let pool = BufferPool(bufferSize: 64, capacity: 1)
        var lease = pool.lease()
        try lease.withFrameWriter(framing: .lengthPrefixed) { (writer) throws(FrameError) in
            try writer.writeRequestN(streamID: 5, requestN: 1)
        }
        #expect(lease.count == 13)
        #expect(lease.withUnsafeBytes { Array($0) } == bytes("00000a 00000005 2000 00000001"))
        #expect(throws: FrameError.self) {
            try lease.withFrameWriter { (writer) throws(FrameError) in try writer.writeRequestResponse(streamID: 1, data: [UInt8](repeating: 0, count: 100)) }
        }
        #expect(lease.count == 0)
    }

    /// Carries one lease from a thread to another.
    final class Handoff: Sendable {
        let slot = Mutex<BufferLease<SharedBufferPool>?>(nil)
    }

    @Test("a shared pool's lease filled on one thread is returned on another")
    func handOff() async {
        let pool = SharedBufferPool(bufferSize: 32, capacity: 4)
        let handoff = Handoff()
        handoff.slot.withLock { slot in
            var lease = pool.lease()
            lease.withUnsafeMutableBytes { $0[0] = 42 }
            slot = consume lease
        }
        let seen = await Task.detached {
            var lease = handoff.slot.withLock { $0.take() }
            return lease?.withUnsafeMutableBytes { $0[0] }
        }.value
        #expect(seen == 42)
        #expect(pool.counters == BufferPoolCounters(leases: 1, returns: 1))
    }

    @Test("a shared pool stays consistent under threads leasing and returning at once")
    func concurrent() {
        let pool = SharedBufferPool(bufferSize: 16, capacity: 8)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0..<2_000 {
                var lease = pool.lease()
                lease.withUnsafeMutableBytes { $0[0] = UInt8(truncatingIfNeeded: worker &+ round) }
            }
        }
        let counters = pool.counters
        #expect(counters.leases == 8_000 && counters.returns == 8_000 && counters.outstanding == 0)
        #expect(counters.highWaterMark <= 4)
    }
}

extension BufferPoolCounters {
    init(leases: UInt64, returns: UInt64) {
        self.init()
        self.leases = leases
        self.returns = returns
        highWaterMark = 1
    }
}
