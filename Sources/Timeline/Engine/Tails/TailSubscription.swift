import Frames

/// One tail: the key it follows, where its events go, its REQUEST_N credit and its queue.
struct TailSubscription {
    var key: [UInt8]
    var connection: TimelineConnection
    var token: TimelineReplyToken
    var encoding: TimelineEncoding
    /// Events the subscriber has asked for and not yet been sent.
    var credit: Int
    var queue = TailQueue()
    /// Listed in the engine's list of tails with events to send.
    var isListed = false
    /// False once the slot is free.
    var isActive = true

    /// Adds `n` to the credit, saturating.
    mutating func grant(_ n: UInt32) {
        credit = credit > Int.max - Int(n) ? Int.max : credit + Int(n)
    }
}
