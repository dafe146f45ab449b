extension TransportControl {
    /// The pinger's side of a ping-pong case, the same over a ring and over TCP: makes a
    /// `payload`-byte message, meets the ponger, then for each of `warmup + timed` rounds
    /// stamps the round number into the message, `send`s it (spinning until it is taken),
    /// and `receive`s the echo (spinning until one came, handing each reply to the checker
    /// it is given). Records the round trips after the warm-up (allocations counted), then
    /// stores their percentiles and the number of wrong replies.
    @inline(__always)
    func ping(
        payload: Int, warmup: Int, timed: Int,
        send: (UnsafeRawBufferPointer) throws -> Void,
        receive: (_ check: (UnsafeRawBufferPointer) -> Void) throws -> Void
    ) throws {
        let source = UnsafeMutableRawBufferPointer.allocate(byteCount: payload, alignment: 64)
        defer { source.deallocate() }
        source.initializeMemory(as: UInt8.self, repeating: 1)
        let bytes = UnsafeRawBufferPointer(source)
        var histogram = LatencyHistogram()  // its buckets made (and touched) before timing
        var errors = 0
        arriveAndWait()
        try countingAllocations {
            for round in 1...UInt64(warmup + timed) {
                source.storeBytes(of: round, as: UInt64.self)
                let start = monotonicNanos()
                try send(bytes)
                try receive { reply in
                    if reply.count != payload || reply.load(as: UInt64.self) != round { errors &+= 1 }
                }
                let end = monotonicNanos()
                if round > UInt64(warmup) { histogram.record(end &- start) }
            }
        }
        storeLatency(histogram.percentiles)
        self.errors.pointee.store(Int64(errors), ordering: .releasing)
    }
}
