import Frames

/// Why a TCP byte stream cannot be framed: its u24 length prefix announces a frame shorter
/// than the RSocket header or longer than the limit.
enum FrameAssemblyError: Error, Equatable, CustomStringConvertible {
    /// The prefix announced fewer bytes than a frame header.
    case lengthBelowHeader(Int)
    /// The prefix announced more bytes than the limit.
    case lengthBeyondLimit(Int, limit: Int)

    /// The reason the session passes on in its connection ERROR.
    var description: String {
        switch self {
        case .lengthBelowHeader(let length):
            "frame length \(length) below the \(FrameHeader.byteCount)-byte frame header"
        case .lengthBeyondLimit(let length, let limit):
            "frame length \(length) beyond the limit of \(limit) bytes"
        }
    }
}

/// What a caller of ``FrameAssembler/drainFrames(_:)`` did with a frame.
enum FrameDisposal {
    /// Not taken now (no room downstream): keep it and every later byte for the next drain.
    case keep
    /// Done with; its bytes may be reused.
    case consumed
    /// Taken with its dedicated allocation, which the caller now owns and deallocates.
    case adopted
}

/// Splits one connection's byte stream into frames behind u24 length prefixes.
///
/// Reads land in a buffer leased from a ``BufferPool`` only while bytes are pending, so an
/// idle connection holds none. A frame longer than a pool buffer gets an allocation of its
/// own, exactly its size (at most the limit), into which reads go until it is complete; that
/// allocation may then be adopted by whoever takes the frame. Every length is checked
/// against the header size and the limit as soon as its three bytes have arrived, before any
/// memory is reserved for it.
struct FrameAssembler: ~Copyable {
    /// The longest frame accepted, in bytes (prefix excluded).
    let limit: Int
    private let pool: BufferPool
    /// Where long frames' allocations are accounted (nil: unbounded but for `limit`).
    private let budget: LargeFrameBudget?
    /// The pooled buffer, while bytes are pending in it.
    private var lease: BufferLease<BufferPool>?
    /// The dedicated buffer of one long frame (prefix included), while it is received.
    private var large: UnsafeMutableRawBufferPointer?
    /// Pending bytes: `start..<end` of the current buffer.
    private var start = 0
    private var end = 0

    /// An assembler leasing from `pool`, accepting frames up to `limit` bytes, accounting the
    /// allocations of long frames in `budget`.
    init(pool: BufferPool, limit: Int, budget: LargeFrameBudget? = nil) {
        self.pool = pool
        self.limit = limit
        self.budget = budget
    }

    deinit {
        if let large { free(large) }
    }

    /// What ``fill(_:)`` did.
    enum Fill: Equatable {
        /// It read `count` bytes (0: end of stream) into `room` bytes of free space.
        case read(count: Int, room: Int)
        /// The read found nothing there now.
        case wouldBlock
        /// Nothing was read: a long frame needs an allocation the budget refuses now.
        case waitingForBudget
    }

    /// Reads once through `read` (the byte count, or nil when nothing is there) into free room
    /// after the pending bytes: at most `pooledLimit` bytes into the pooled buffer (whose frames
    /// become records in the inbound ring; a long frame's allocation takes what it lacks).
    /// Call ``drainFrames(maxFrames:_:)`` first: when a complete frame is pending there may be
    /// no room, and the read is given none.
    mutating func fill<Failure: Error>(
        pooledLimit: Int = .max, _ read: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int?
    ) throws(Failure) -> Fill {
        if let large {
            let room = large.count - end
            guard let count = try read(UnsafeMutableRawBufferPointer(rebasing: large[end...])) else { return .wouldBlock }
            end += count
            return .read(count: count, room: room)
        }
        if lease == nil { lease = pool.lease() }
        let needed = pendingFrameTotal()
        if let needed, needed > pool.bufferSize {
            if let budget, !budget.reserve(needed) { return .waitingForBudget }
            moveToLargeBuffer(byteCount: needed)
            return try fill(pooledLimit: pooledLimit, read)
        }
        let capacity = pool.bufferSize
        if start > 0 && (start == end || capacity - end < capacity / 4 || start + (needed ?? 0) > capacity) {
            compact()
        }
        let end = self.end
        let room = min(capacity - end, pooledLimit)
        let count = try lease!.withUnsafeMutableBytes { (buffer) throws(Failure) -> Int? in
            try read(UnsafeMutableRawBufferPointer(rebasing: buffer[end..<(end + room)]))
        }
        guard let count else { return .wouldBlock }
        self.end += count
        return .read(count: count, room: room)
    }

    /// Offers each complete frame, in order, to `take`, until it keeps one, `maxFrames` were
    /// taken or none is left; returns how many it took and whether it stopped on a kept one.
    /// `take` gets the frame without its prefix and, for a long frame, its dedicated
    /// allocation (which `take` may adopt). Throws when a length is out of bounds (the bytes
    /// before it were offered first); the stream is then unusable. Captures nothing mutable,
    /// so even a debug build allocates nothing here.
    mutating func drainFrames(
        maxFrames: Int = .max,
        _ take: (_ frame: UnsafeRawBufferPointer, _ allocation: UnsafeMutableRawBufferPointer?) -> FrameDisposal
    ) throws(FrameAssemblyError) -> (taken: Int, kept: Bool) {
        guard maxFrames > 0 else { return (0, false) }
        if let large {
            guard end == large.count else { return (0, false) }
            let frame = UnsafeRawBufferPointer(rebasing: large[LengthPrefix.byteCount...])
            switch take(frame, large) {
            case .keep: return (0, true)
            case .consumed: free(large)
            case .adopted: break  // the taker frees it, and gives its bytes back to the budget
            }
            self.large = nil
            start = 0
            end = 0
            return (1, false)
        }
        guard lease != nil else { return (0, false) }
        let (first, end, limit) = (start, self.end, self.limit)
        let (start, taken, kept, failure) = lease!.withUnsafeMutableBytes {
            buffer -> (Int, Int, Bool, FrameAssemblyError?) in
            var start = first
            var taken = 0
            while taken < maxFrames, end - start >= LengthPrefix.byteCount {
                let length = Self.length(at: start, in: UnsafeRawBufferPointer(buffer))
                if let problem = Self.check(length, limit: limit) { return (start, taken, false, problem) }
                let total = LengthPrefix.byteCount + length
                guard end - start >= total else { break }
                let frame = UnsafeRawBufferPointer(rebasing: buffer[(start + LengthPrefix.byteCount)..<(start + total)])
                guard case .consumed = take(frame, nil) else { return (start, taken, true, nil) }
                start += total
                taken += 1
            }
            return (start, taken, false, nil)
        }
        self.start = start
        if let failure { throw failure }
        if start == end { releaseBuffer() }
        return (taken, kept)
    }

    /// Whether a whole frame (or a bad length) is pending: ``drainFrames(maxFrames:_:)`` has something
    /// to do without another read.
    mutating func hasCompleteFrame() -> Bool {
        if let large { return end == large.count }
        guard let total = pendingFrameTotal() else { return false }
        return end - start >= total || total - LengthPrefix.byteCount < FrameHeader.byteCount
            || total - LengthPrefix.byteCount > limit
    }

    /// Gives back every buffer and forgets pending bytes (the stream is done with).
    mutating func releaseBuffer() {
        lease = nil
        if let large { free(large) }
        large = nil
        start = 0
        end = 0
    }

    /// Deallocates a long frame's allocation and gives its bytes back to the budget.
    private func free(_ allocation: UnsafeMutableRawBufferPointer) {
        budget?.release(allocation.count)
        allocation.deallocate()
    }

    /// The total size (prefix included) of the frame whose prefix is pending, if its three
    /// bytes have arrived (already checked by ``drainFrames(maxFrames:_:)``).
    private mutating func pendingFrameTotal() -> Int? {
        guard end - start >= LengthPrefix.byteCount, lease != nil else { return nil }
        let start = self.start
        return lease!.withUnsafeMutableBytes { LengthPrefix.byteCount + Self.length(at: start, in: UnsafeRawBufferPointer($0)) }
    }

    /// Moves the pending bytes to the buffer's start.
    private mutating func compact() {
        let (start, end) = (self.start, self.end)
        if end > start {
            lease!.withUnsafeMutableBytes { buffer in
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
            }
        }
        self.start = 0
        self.end = end - start
    }

    /// Moves the pending start of a long frame into a dedicated allocation of its size.
    private mutating func moveToLargeBuffer(byteCount: Int) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 16)
        let (start, end) = (self.start, self.end)
        lease!.withUnsafeMutableBytes { pooled in
            buffer.baseAddress!.copyMemory(from: pooled.baseAddress! + start, byteCount: end - start)
        }
        lease = nil
        large = buffer
        self.start = 0
        self.end = end - start
    }

    /// The u24 big-endian length at `index`.
    private static func length(at index: Int, in buffer: UnsafeRawBufferPointer) -> Int {
        Int(buffer[index]) << 16 | Int(buffer[index + 1]) << 8 | Int(buffer[index + 2])
    }

    /// The problem with a frame length, if any.
    private static func check(_ length: Int, limit: Int) -> FrameAssemblyError? {
        if length < FrameHeader.byteCount { return .lengthBelowHeader(length) }
        if length > limit { return .lengthBeyondLimit(length, limit: limit) }
        return nil
    }
}
