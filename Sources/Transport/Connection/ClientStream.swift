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
    var continuation: CheckedContinuation<Payload?, any Error>?
    /// Stream items received and not yet consumed.
    var items: [Payload] = []
    /// The first unconsumed item.
    var head = 0
    /// The responder completed the stream.
    var finished = false
    /// The stream failed (an ERROR frame, or the connection).
    var failure: TransportError?
    /// Items consumed since the last REQUEST_N.
    var consumed: UInt32 = 0
    /// When an asynchronous request-response gives up (the ticker checks).
    var deadline: ContinuousClock.Instant?

    init(kind: Kind) { self.kind = kind }

    /// Whether an item waits.
    var hasItem: Bool { head < items.count }

    /// Takes the next item.
    mutating func takeItem() -> Payload {
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
