/// One TCP connection's share of the inbound ring: where its records lie in the ring, as
/// spans of ring positions, so the I/O thread knows how many of its bytes the writer has not
/// consumed yet without the writer counting anything.
///
/// The I/O thread services one connection at a time, so what it posts for a connection in one
/// service is a contiguous span of ring positions (padding at the wrap included). The writer
/// publishes only its consumer position, as it always has; a span that position has passed is
/// consumed, a span it is inside is consumed up to it. The writer's drain therefore pays
/// nothing per record for the accounting.
///
/// I/O thread only. Spans are kept oldest first, at most ``capacity``; a span that follows
/// the last one directly extends it, and when all are in use a new one merges into the last
/// (counting the other connections' records between them too: the estimate errs on the side
/// of reading less, never more).
struct InboundShare {
    /// Spans kept at most.
    static let capacity = 8

    /// The spans' first positions and end positions, oldest first from `first`, in a circle.
    private var starts = InlineArray<8, Int64>(repeating: 0)
    private var ends = InlineArray<8, Int64>(repeating: 0)
    private var first = 0
    private var count = 0

    /// No records in the ring (a new connection).
    mutating func reset() {
        first = 0
        count = 0
    }

    /// Notes records posted from ring position `start` up to `end`.
    mutating func note(from start: Int64, to end: Int64) {
        guard end > start else { return }
        if count > 0 {
            let last = (first + count - 1) % Self.capacity
            if ends[last] == start || count == Self.capacity {
                ends[last] = end
                return
            }
        }
        let slot = (first + count) % Self.capacity
        starts[slot] = start
        ends[slot] = end
        count += 1
    }

    /// The connection's bytes in the ring the writer has not consumed, given its consumer
    /// position; forgets the spans it has consumed.
    mutating func unconsumed(consumer: Int64) -> Int {
        while count > 0, ends[first] <= consumer {
            first = (first + 1) % Self.capacity
            count -= 1
        }
        var bytes: Int64 = 0
        for index in 0..<count {
            let slot = (first + index) % Self.capacity
            bytes += ends[slot] - max(starts[slot], consumer)
        }
        return Int(bytes)
    }

    /// The consumer position at which at most `remaining` of the connection's bytes are left
    /// unconsumed (the consumer at `consumer` now).
    func position(leaving remaining: Int, consumer: Int64) -> Int64 {
        var left: Int64 = 0
        for index in 0..<count {
            let slot = (first + index) % Self.capacity
            left += ends[slot] - max(starts[slot], consumer)
        }
        var excess = left - Int64(remaining)
        guard excess > 0 else { return consumer }
        for index in 0..<count {
            let slot = (first + index) % Self.capacity
            let start = max(starts[slot], consumer)
            let length = ends[slot] - start
            if length >= excess { return start + excess }
            excess -= length
        }
        return ends[(first + count - 1) % Self.capacity]
    }
}
