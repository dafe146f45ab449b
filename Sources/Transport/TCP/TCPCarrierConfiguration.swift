import Frames

/// The sizes and limits of a TCP carrier. Every bound here is what keeps its memory bounded
/// whatever the peers do.
public struct TCPCarrierConfiguration: Sendable, Equatable {
    /// The longest inbound frame accepted (prefix excluded); a peer announcing more gets
    /// `.malformed`. Default and largest: the u24 prefix's limit, 16 MiB - 1.
    public var maxInboundFrameLength = LengthPrefix.maxLength
    /// Bytes of outbound queue per connection (a power of two, at least 4096); a send that
    /// does not fit answers `.wouldBlock`, and the largest frame a send takes is this less the
    /// 3-byte prefix (capped at the u24 limit).
    public var outboundCapacity = 1 << 18
    /// Bytes of the server's inbound ring from the I/O thread to the writer (a power of two);
    /// when it is full the I/O thread stops reading until the writer catches up. Frames longer
    /// than an eighth of it travel in allocations of their own.
    public var inboundCapacity = 1 << 21
    /// Bytes of the inbound ring one connection may hold at most: its records the writer has
    /// not consumed yet (nil: a quarter of ``inboundCapacity``). The share in force is less
    /// when the writer is slow: what it consumes in about 10 ms, at least 16 KiB (or this, if
    /// smaller). A connection at its share is not read (TCP back-pressure reaches its sender)
    /// until the writer has consumed a quarter of it, and a read never takes more than the
    /// share has room for (4 KiB at least), so a connection that floods the server keeps about
    /// that much ahead of another connection's request. Frames longer than an eighth of the
    /// ring count only their small record here; ``maxLargeFrameBytes`` bounds them.
    public var inboundShare: Int?
    /// Bytes of each pooled read buffer (at most an eighth of ``inboundCapacity``, less 16).
    public var readBufferSize = 1 << 16
    /// Read buffers in the pool; beyond them reads still work, with one-off allocations.
    public var readBufferCount = 64
    /// Bytes a server holds at most, all connections together, in frames longer than a read
    /// buffer (each gets an allocation of its own, partly received or queued for the writer);
    /// beyond it such connections wait. One frame is always let through, whatever its length.
    public var maxLargeFrameBytes = 1 << 26
    /// The most connections a server holds at once (at most 2^20); more are accepted and
    /// closed at once.
    public var maxConnections = 4096
    /// The listen backlog.
    public var backlog: Int32 = 1024
    /// How long a close waits for queued output to go out and for the peer to close its end.
    public var closeLinger: Duration = .seconds(2)
    /// Reads from one connection before the I/O thread turns to the others.
    public var readsPerTurn = 4

    /// The defaults.
    public init() {}

    /// The bits of a ``ConnectionID`` that hold the slot.
    static let slotBits = 20

    /// The share of the inbound ring in force (``inboundShare`` or its default).
    var effectiveInboundShare: Int { inboundShare ?? inboundCapacity / 4 }

    /// The largest frame a send takes in one piece.
    var maxOutboundFrameLength: Int { min(LengthPrefix.maxLength, outboundCapacity - LengthPrefix.byteCount) }

    /// Checks every field; the error names the field.
    func validate() throws(TransportError) {
        func fail(_ why: String) -> TransportError { .invalidArgument("TCP carrier: \(why)") }
        guard (6...LengthPrefix.maxLength).contains(maxInboundFrameLength) else {
            throw fail("maxInboundFrameLength \(maxInboundFrameLength) outside 6...\(LengthPrefix.maxLength)")
        }
        guard outboundCapacity >= 4096, outboundCapacity & (outboundCapacity - 1) == 0, outboundCapacity <= 1 << 30 else {
            throw fail("outboundCapacity \(outboundCapacity) is not a power of two from 4096 to 2^30")
        }
        guard inboundCapacity >= 1 << 12, inboundCapacity & (inboundCapacity - 1) == 0, inboundCapacity <= 1 << 30 else {
            throw fail("inboundCapacity \(inboundCapacity) is not a power of two from 4096 to 2^30")
        }
        guard readBufferSize >= 64, readBufferSize <= inboundCapacity / 8 - 16 else {
            throw fail("readBufferSize \(readBufferSize) outside 64...\(inboundCapacity / 8 - 16) (an eighth of inboundCapacity, less 16)")
        }
        if let inboundShare, !(1...inboundCapacity).contains(inboundShare) {
            throw fail("inboundShare \(inboundShare) outside 1...\(inboundCapacity) (inboundCapacity)")
        }
        guard maxLargeFrameBytes >= 1 else { throw fail("maxLargeFrameBytes \(maxLargeFrameBytes) below 1") }
        guard readBufferCount >= 1 else { throw fail("readBufferCount \(readBufferCount) below 1") }
        guard (1...(1 << Self.slotBits)).contains(maxConnections) else {
            throw fail("maxConnections \(maxConnections) outside 1...\(1 << Self.slotBits)")
        }
        guard backlog >= 1 else { throw fail("backlog \(backlog) below 1") }
        guard closeLinger >= .zero else { throw fail("closeLinger \(closeLinger) is negative") }
        guard readsPerTurn >= 1 else { throw fail("readsPerTurn \(readsPerTurn) below 1") }
    }
}
