import Frames

/// Request-response answers waiting for the journal (group commit): each holds a copy of the
/// response bytes and the journal sequence that must be durable before it goes out. Tags
/// never decrease, so replies leave from the front. The entries and bytes live in buffers
/// that are reused (the bytes in one raw buffer that doubles when full), so a steady load
/// allocates nothing once they have grown.
final class DeferredReplies {
    private struct Entry {
        var token: TimelineReplyToken
        var sequence: UInt64
        var start: Int
        var count: Int
    }

    private var entries: [Entry] = []
    private var head = 0
    /// The responses' bytes: `0 ..< used` of `storage`.
    private var storage: UnsafeMutableRawBufferPointer
    private var used = 0

    init() {
        storage = .allocate(byteCount: 4096, alignment: 8)
        entries.reserveCapacity(256)
    }

    deinit { storage.deallocate() }

    /// Replies waiting.
    var count: Int { entries.count - head }

    /// Queues `response` for `token` until `sequence` is durable.
    func append(_ token: TimelineReplyToken, sequence: UInt64, response: some FrameEncodable) {
        let size = response.encodedByteCount
        if used + size > storage.count { grow(to: used + size) }
        response.unsafeEncode(into: UnsafeMutableRawBufferPointer(rebasing: storage[used ..< used + size]))
        entries.append(Entry(token: token, sequence: sequence, start: used, count: size))
        used += size
    }

    /// Hands every reply whose sequence is at most `durable` to `send`, oldest first: how
    /// many.
    func release(upTo durable: UInt64, _ send: (TimelineReplyToken, UnsafeRawBufferPointer) -> Void) -> Int {
        var released = 0
        while head < entries.count && entries[head].sequence <= durable {
            let entry = entries[head]
            send(entry.token, UnsafeRawBufferPointer(rebasing: storage[entry.start ..< entry.start + entry.count]))
            head += 1
            released += 1
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            used = 0
            head = 0
        } else if head > 0 && head >= entries.count / 2 {
            compact()
        }
        return released
    }

    /// Hands every waiting reply's token to `body` whatever its sequence (the journal failed:
    /// they are answered with an error instead), and empties the queue.
    func drainAll(_ body: (TimelineReplyToken) -> Void) {
        for index in head ..< entries.count { body(entries[index].token) }
        entries.removeAll(keepingCapacity: true)
        used = 0
        head = 0
    }

    /// Moves the waiting replies to the front (in place), so a queue that is never empty
    /// under a steady load does not grow.
    private func compact() {
        let shift = entries[head].start
        storage.baseAddress!.copyMemory(from: storage.baseAddress! + shift, byteCount: used - shift)
        used -= shift
        entries.removeFirst(head)
        for index in 0 ..< entries.count { entries[index].start -= shift }
        head = 0
    }

    /// Doubles the byte buffer until `needed` bytes fit, keeping what it holds.
    private func grow(to needed: Int) {
        var capacity = storage.count
        while capacity < needed { capacity *= 2 }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        if used > 0 { larger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: used) }
        storage.deallocate()
        storage = larger
    }
}
