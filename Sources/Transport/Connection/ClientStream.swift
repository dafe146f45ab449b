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

    init(kind: Kind) { self.kind = kind }

    /// Whether an item waits.
    var hasItem: Bool { items?.isEmpty == false }

    /// Keeps an item for the reader.
    mutating func keep(_ item: Payload) {
        if let items {
            items.append(item)
        } else {
            let items = StreamItems()
            items.append(item)
            self.items = items
        }
    }

    /// Takes the next item, if one waits.
    func takeItem() -> Payload? { items?.take() }
}

/// A request-stream's items received and not yet consumed, oldest first. A class: the
/// connection copies a stream's value out of its table and writes it back around every
/// change, and an array held in that value would then be copied (copy on write) at every
/// item kept or taken; shared, the buffer is appended to and taken from in place and, once
/// grown to the stream's usual backlog, allocates nothing.
final class StreamItems {
    private var items: [Payload] = []
    /// The first unconsumed item.
    private var head = 0

    /// Whether no item waits.
    var isEmpty: Bool { head == items.count }

    /// Appends an item.
    func append(_ item: Payload) { items.append(item) }

    /// Takes the oldest item, if one waits.
    func take() -> Payload? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }
}

/// What a blocking caller's handler is told about its stream.
enum BlockingEvent {
    /// The answer (an empty view when the responder completed without a payload).
    case payload(PayloadView)
    /// The stream failed.
    case failure(TransportError)
}
