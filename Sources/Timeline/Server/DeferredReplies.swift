import Frames

/// Request-response answers waiting for the journal (group commit): each holds a copy of the
/// response bytes and the journal sequence that must be durable before it goes out. Tags
/// never decrease, so replies leave from the front. The entries and bytes live in buffers
/// that are reused, so a steady load allocates nothing once they have grown.
struct DeferredReplies {
    private struct Entry {
        var token: TimelineReplyToken
        var sequence: UInt64
        var start: Int
        var count: Int
    }

    private var entries: [Entry] = []
    private var bytes: [UInt8] = []
    private var head = 0

    /// Replies waiting.
    var count: Int { entries.count - head }

    /// Queues `response` for `token` until `sequence` is durable.
    mutating func append(_ token: TimelineReplyToken, sequence: UInt64, response: some FrameEncodable) {
        let start = bytes.count
        let size = response.encodedByteCount
        bytes.append(contentsOf: repeatElement(0, count: size))
        bytes.withUnsafeMutableBytes { response.unsafeEncode(into: UnsafeMutableRawBufferPointer(rebasing: $0[start ..< start + size])) }
        entries.append(Entry(token: token, sequence: sequence, start: start, count: size))
    }

    /// Hands every reply whose sequence is at most `durable` to `send`, oldest first: how
    /// many.
    mutating func release(upTo durable: UInt64, _ send: (TimelineReplyToken, UnsafeRawBufferPointer) -> Void) -> Int {
        var released = 0
        bytes.withUnsafeBytes { bytes in
            while head < entries.count && entries[head].sequence <= durable {
                let entry = entries[head]
                send(entry.token, UnsafeRawBufferPointer(rebasing: bytes[entry.start ..< entry.start + entry.count]))
                head += 1
                released += 1
            }
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 0 && head >= entries.count / 2 {
            compact()
        }
        return released
    }

    /// Moves the waiting replies to the front of both buffers (in place), so a queue that is
    /// never empty under a steady load does not grow.
    private mutating func compact() {
        let shift = entries[head].start
        entries.removeFirst(head)
        bytes.removeFirst(shift)
        for index in 0 ..< entries.count { entries[index].start -= shift }
        head = 0
    }

    /// Hands every reply to `body` whatever its sequence (the journal failed: they are
    /// answered with an error instead), and empties the queue.
    mutating func drainAll(_ body: (TimelineReplyToken) -> Void) {
        for index in head ..< entries.count { body(entries[index].token) }
        entries.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        head = 0
    }
}
