import ShmRing

/// What one read of a channel ring found: the frames handed on, whether a close record ended
/// the batch, and the type of a record that was neither.
struct ChannelRead {
    /// Frames handed to the handler.
    var frames = 0
    /// A close record ended the batch.
    var sawClose = false
    /// The type of the record that aborted the batch, being neither a frame nor a close.
    var badType: Int32?
    /// Records consumed (an aborted one does not count).
    var consumed = 0
}

extension OneToOneRing {
    /// Reads up to `limit` records of a channel ring into `read`: each frame goes to `frame`
    /// (unless `stop` says otherwise first, which aborts the batch before it), a close record
    /// ends the batch, a record of any other type aborts it. On a corrupt ring `read` keeps
    /// what came before and the ring's error is thrown.
    ///
    /// Always inlined, with the ring's read loop: at a call site whose `stop` and `frame` are
    /// closure literals, both are then inlined into the loop, which calls nothing per frame
    /// but what `frame` calls (out of line, the loop made two indirect calls per frame and
    /// spilled its registers around each).
    @inline(__always)
    func readChannel(
        limit: Int, into read: inout ChannelRead, stop: () -> Bool,
        _ frame: (UnsafeRawBufferPointer) -> Void
    ) throws(RingError) {
        let consumed = try controlledRead(limit: limit) { type, payload in
            if type == ChannelRecord.frame {
                if stop() { return .abort }
                frame(payload)
                read.frames &+= 1
                return .continue
            }
            if type == ChannelRecord.close {
                read.sawClose = true
                return .break
            }
            read.badType = type
            return .abort
        }
        read.consumed = consumed
    }
}
