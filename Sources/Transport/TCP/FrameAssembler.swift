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
    /// The pooled buffer, while bytes are pending in it.
    private var lease: BufferLease<BufferPool>?
    /// The dedicated buffer of one long frame (prefix included), while it is received.
    private var large: UnsafeMutableRawBufferPointer?
    /// Pending bytes: `start..<end` of the current buffer.
    private var start = 0
    private var end = 0

    /// An assembler leasing from `pool`, accepting frames up to `limit` bytes.
    init(pool: BufferPool, limit: Int) {
        self.pool = pool
        self.limit = limit
    }

    deinit {
        large?.deallocate()
    }

    /// Bytes received and not yet taken as frames.
    var pendingCount: Int { end - start }

    /// Reads once through `read` into free room after the pending bytes and returns what it
    /// returned (the byte count, 0 at end of stream). Call ``drainFrames(_:)`` first: when a
    /// complete frame is pending there may be no room, and the read is given none.
    mutating func fill<Failure: Error>(
        _ read: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int
    ) throws(Failure) -> Int {
        if let large {
            let count = try read(UnsafeMutableRawBufferPointer(rebasing: large[end...]))
            end += count
            return count
        }
        if lease == nil { lease = pool.lease() }
        let needed = pendingFrameTotal()
        if let needed, needed > pool.bufferSize {
            moveToLargeBuffer(byteCount: needed)
            return try fill(read)
        }
        let capacity = pool.bufferSize
        if start > 0 && (start == end || capacity - end < capacity / 4 || start + (needed ?? 0) > capacity) {
            compact()
        }
        let end = self.end
        let count = try lease!.withUnsafeMutableBytes { (buffer) throws(Failure) -> Int in
            try read(UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        }
        self.end += count
        return count
    }

    /// Offers each complete frame, in order, to `take`, until it keeps one or none is left,
    /// and returns how many it took. `take` gets the frame without its prefix and, for a long
    /// frame, its dedicated allocation (which `take` may adopt). Throws when a length is out
    /// of bounds (the bytes before it were offered first); the stream is then unusable.
    mutating func drainFrames(
        _ take: (_ frame: UnsafeRawBufferPointer, _ allocation: UnsafeMutableRawBufferPointer?) -> FrameDisposal
    ) throws(FrameAssemblyError) -> Int {
        var taken = 0
        if let large {
            guard end == large.count else { return 0 }
            let frame = UnsafeRawBufferPointer(rebasing: large[LengthPrefix.byteCount...])
            switch take(frame, large) {
            case .keep: return 0
            case .consumed: large.deallocate()
            case .adopted: break
            }
            self.large = nil
            start = 0
            end = 0
            return 1
        }
        guard lease != nil else { return 0 }
        var start = self.start
        let end = self.end
        let limit = self.limit
        var failure: FrameAssemblyError?
        lease!.withUnsafeMutableBytes { buffer in
            while end - start >= LengthPrefix.byteCount {
                let length = Self.length(at: start, in: UnsafeRawBufferPointer(buffer))
                if let problem = Self.check(length, limit: limit) {
                    failure = problem
                    return
                }
                let total = LengthPrefix.byteCount + length
                guard end - start >= total else { return }
                let frame = UnsafeRawBufferPointer(rebasing: buffer[(start + LengthPrefix.byteCount)..<(start + total)])
                guard case .consumed = take(frame, nil) else { return }
                start += total
                taken += 1
            }
        }
        self.start = start
        if let failure { throw failure }
        if start == end { releaseBuffer() }
        return taken
    }

    /// Whether a whole frame (or a bad length) is pending: ``drainFrames(_:)`` has something
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
        large?.deallocate()
        large = nil
        start = 0
        end = 0
    }

    /// The total size (prefix included) of the frame whose prefix is pending, if its three
    /// bytes have arrived (already checked by ``drainFrames(_:)``).
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
