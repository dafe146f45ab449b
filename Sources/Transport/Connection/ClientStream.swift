/// One stream the client opened, as its requester.
struct ClientStream {
    /// Who waits for what arrives on it.
    enum Kind {
        /// A blocking request-response: the caller drives the carrier and gets the answer
        /// inline (``ConnectionCore/pump(_:)``'s handler).
        case blocking
        /// An asynchronous request-response.
        case response
        /// A request-stream read as an `AsyncSequence`.
        case stream
    }

    /// Who waits.
    let kind: Kind
    /// The fragments of an answer still arriving.
    var assembly: FragmentAssembly?
    /// The suspended caller, if any.
    var continuation: UnsafeContinuation<Payload?, any Error>?
    /// Where a request-stream's reader suspended on ``continuation`` leaves its task, which the
    /// ticker watches for cancellation (``ConnectionCore/cancelAbandonedReads()``); nil for
    /// other kinds.
    let reader: StreamReader?
    /// Stream items received and not yet consumed (made at the first one kept).
    var items: StreamItems?
    /// The responder completed the stream.
    var finished = false
    /// The stream failed (an ERROR frame, or the connection).
    var failure: TransportError?
    /// Items consumed since the last REQUEST_N.
    var consumed: UInt32 = 0
    /// When an asynchronous request-response gives up (the ticker checks).
    /// CLOCK_MONOTONIC nanoseconds, not a `ContinuousClock.Instant`: that type is resilient,
    /// and a stream value holding one would be copied through value witnesses every time the
    /// connection takes it out of its table and writes it back (several times per item).
    var deadline: Int64?

    init(kind: Kind) {
        self.kind = kind
        reader = kind == .stream ? StreamReader() : nil
    }

    /// Whether an item waits.
    var hasItem: Bool { items?.isEmpty == false }

    // The connection reaches a stream in its table through `streams.values[index]`: a
    // mutating method called there runs in place (the table's modify accessor), where a
    // property read copies the whole value out first (retains, value-witness calls) and
    // costs a tail's reader more than the rest of its poll. Hence these, for the per-item
    // paths.

    /// Whether a reader waits on this stream and its task was cancelled. Mutating though it
    /// changes nothing: called through the table's modify accessor, it reads the stream in
    /// place (see above).
    mutating func readerWasCancelled() -> Bool {
        continuation != nil && reader?.task?.isCancelled == true
    }

    /// Leaves a request-stream's reader suspended on this stream: its continuation, and its
    /// task for the ticker's cancellation watch. One change in place through the table's
    /// modify accessor: the task's handle set through a read of ``reader`` (a copy of the
    /// whole stream out of the table, then its destroy, a retain and a release) cost some 300
    /// instructions per read (callgrind).
    mutating func suspendReader(_ continuation: UnsafeContinuation<Payload?, any Error>, task: UnsafeCurrentTask?) {
        self.continuation = continuation
        reader?.task = task
    }

    /// An item was consumed: the REQUEST_N now due (half of `window` used since the last),
    /// or nil.
    mutating func noteConsumed(window: UInt32) -> UInt32? {
        guard !finished else { return nil }
        consumed += 1
        guard consumed >= window / 2 else { return nil }
        defer { consumed = 0 }
        return consumed
    }

    /// Hands a request-stream's item (one whole frame, the stream not completed by it) to its
    /// reader: the waiting continuation, taken out, with the item copied and the REQUEST_N it
    /// makes due, for the caller to resume; or, when `toReader` (its blocking reader is the
    /// one reading the carrier now) and no item was kept before it, the item itself with that
    /// REQUEST_N, consumed at once; or the item kept for the reader's next read.
    /// ``StreamDelivery/notPlain`` (nothing done) when this is not a request-stream or an
    /// answer is being reassembled on it.
    mutating func deliverPlainItem(_ view: PayloadView, window: UInt32, toReader: Bool) -> StreamDelivery {
        guard kind == .stream, assembly == nil else { return .notPlain }
        let item = Payload(copying: view)
        if let continuation {
            self.continuation = nil
            return .waiter(continuation, item, requestN: noteConsumed(window: window))
        }
        if toReader && !hasItem { return .handed(item, requestN: noteConsumed(window: window)) }
        keep(item)
        return .kept
    }

    /// What this stream's reader gets now: the next item kept (its consumption counted,
    /// with the REQUEST_N it makes due), the stream's failure or its end; nil when it is live
    /// and no item waits.
    mutating func takeForReader(window: UInt32) -> StreamTake? {
        if let item = items?.take() { return .item(item, requestN: noteConsumed(window: window)) }
        if let failure { return .failed(failure) }
        return finished ? .ended : nil
    }

    /// Keeps an item for the reader: moved in, and the buffer reached in place (a binding of
    /// it and a copy of the item cost a retain and a release each per item kept).
    mutating func keep(_ item: consuming Payload) {
        if items == nil { items = StreamItems() }
        items.unsafelyUnwrapped.append(item)
    }
}

/// The task of a request-stream's async reader while it waits on the stream: a handle read
/// only for its cancellation, and only while that task is suspended there (the stream holds
/// its continuation), so the task is alive. A class, made with the stream:
/// `UnsafeCurrentTask` is a resilient type, and a stream value holding one would lose its
/// fixed layout (its copies and field accesses would go through run-time metadata).
final class StreamReader {
    /// The waiting reader's task: meaningful while the stream holds a continuation; after
    /// that the last reader's handle stays, never read, until the next read replaces it
    /// (clearing it cost every item a destroy through the resilient type's value witness,
    /// some 100 instructions, between the frame's arrival and the resumption). Unchecked for
    /// exclusivity (a run-time check per access otherwise): only touched under the
    /// connection's mutex.
    @exclusivity(unchecked) var task: UnsafeCurrentTask?
}

/// A request-stream's items received and not yet consumed, oldest first. A class: the
/// connection copies a stream's value out of its table and writes it back around every
/// change, and an array held in that value would then be copied (copy on write) at every
/// item kept or taken; shared, the buffer is appended to and taken from in place and, once
/// grown to the stream's usual backlog, allocates nothing.
final class StreamItems {
    // `@exclusivity(unchecked)`: each access to a class's stored `var` pays a run-time
    // exclusivity check (some 80 instructions per item kept, as many per item taken,
    // callgrind). Safe: only touched under the connection's mutex, and no access spans a
    // call that reaches the same buffer.
    @exclusivity(unchecked) private var items: [Payload] = []
    /// The first unconsumed item.
    @exclusivity(unchecked) private var head = 0

    /// Whether no item waits.
    var isEmpty: Bool { head == items.count }

    /// Appends an item.
    func append(_ item: consuming Payload) { items.append(item) }

    /// Takes the oldest item, if one waits.
    func take() -> Payload? {
        guard head < items.count else { return nil }
        // Moved out, not copied: the reader gets the only reference to the item's arrays
        // (a tail reader reuses the payload's array as its event's member, in place).
        var item = Payload(data: [])
        swap(&item, &items[head])
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }
}

/// What ``ClientStream/deliverPlainItem(_:window:)`` did with an item.
enum StreamDelivery {
    /// Nothing: the stream is not a request-stream, or is reassembling an answer.
    case notPlain
    /// Kept for the reader's next read.
    case kept
    /// For the waiting reader, to be resumed with the item; the REQUEST_N then due, if any.
    case waiter(UnsafeContinuation<Payload?, any Error>, Payload, requestN: UInt32?)
    /// For the blocking reader reading the carrier now, consumed; the REQUEST_N then due.
    case handed(Payload, requestN: UInt32?)
}

/// What ``ClientStream/takeForReader(window:)`` found for a stream's reader.
enum StreamTake {
    /// The next item, and the REQUEST_N its consumption makes due, if any.
    case item(Payload, requestN: UInt32?)
    /// The stream failed.
    case failed(TransportError)
    /// The responder completed the stream and every item was read.
    case ended
}

/// What a blocking caller's handler is told about its stream.
enum BlockingEvent {
    /// The answer (an empty view when the responder completed without a payload).
    case payload(PayloadView)
    /// The stream failed.
    case failure(TransportError)
}
