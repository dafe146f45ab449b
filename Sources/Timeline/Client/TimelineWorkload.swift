/// The load workload of `ringside load` (and the lab's timeline cases): producer `p`'s
/// event `i` (from 0) inserts a 16-byte member `pPP-IIIIIIIIIIII` (the producer and the
/// index in decimal, so members are unique and UTF-8 for JSON) with score `i + 1` (scores
/// increase per producer) under key `key-KKKKK`, where `K = (i × 7919 + p × 104729) mod
/// keyCount` spreads each producer's events over every key in a fixed order.
public struct TimelineWorkload: Sendable, Hashable {
    /// The length of every member.
    public static let memberLength = 16
    /// The most producers the member layout numbers (two digits).
    public static let maxProducers = 100
    /// The most events per producer the member layout numbers (twelve digits).
    public static let maxEvents = 999_999_999_999

    /// Keys the events are spread over (default 10,000).
    public let keyCount: Int
    /// The keys' bytes.
    public let keys: [[UInt8]]

    /// The workload over `keyCount` keys (1 to 100,000).
    public init(keyCount: Int = 10_000) {
        precondition((1 ... 100_000).contains(keyCount), "TimelineWorkload: keyCount \(keyCount) outside 1...100000")
        self.keyCount = keyCount
        keys = (0 ..< keyCount).map { Array(("key-" + Self.digits($0, 5)).utf8) }
    }

    /// Calls `body` with a view of every key's bytes (index as ``keys``), valid during the
    /// call: a producer's loop reads them without touching an array's reference count.
    public func withKeyViews<Result, Failure: Error>(
        _ body: ([UnsafeRawBufferPointer]) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let flat = keys.flatMap { $0 }
        let outcome = flat.withUnsafeBytes { bytes in
            var views: [UnsafeRawBufferPointer] = []
            views.reserveCapacity(keys.count)
            var start = 0
            for key in keys {
                views.append(UnsafeRawBufferPointer(rebasing: bytes[start ..< start + key.count]))
                start += key.count
            }
            return Swift.Result { () throws(Failure) in try body(views) }
        }
        return try outcome.get()
    }

    /// The key (an index below `keyCount`) that producer `producer` writes as its `index`-th event:
    /// a fixed stride through the keys, offset per producer, so producers spread over all keys.
    @inlinable
    public func keyIndex(producer: Int, index: Int) -> Int {
        (index % keyCount * 7_919 + producer * 104_729) % keyCount
    }

    /// The score of event `index`.
    @inlinable
    public static func score(index: Int) -> Double { Double(index + 1) }

    /// Writes the member of producer `producer`'s event `index` into `buffer` (at least
    /// ``memberLength`` bytes), without allocating.
    public static func writeMember(producer: Int, index: Int, into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= memberLength && (0 ..< maxProducers).contains(producer) && (0 ... maxEvents).contains(index))
        buffer[0] = UInt8(ascii: "p")
        buffer[1] = UInt8(ascii: "0") + UInt8(producer / 10)
        buffer[2] = UInt8(ascii: "0") + UInt8(producer % 10)
        buffer[3] = UInt8(ascii: "-")
        var rest = index
        for at in stride(from: memberLength - 1, through: 4, by: -1) {
            buffer[at] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    /// The member of producer `producer`'s event `index`, as bytes.
    public static func member(producer: Int, index: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: memberLength) { buffer, count in
            writeMember(producer: producer, index: index, into: UnsafeMutableRawBufferPointer(buffer))
            count = memberLength
        }
    }

    /// The producer and index a member of this workload names, or nil for another member.
    public static func parse(member: [UInt8]) -> (producer: Int, index: Int)? {
        guard member.count == memberLength, member[0] == UInt8(ascii: "p"), member[3] == UInt8(ascii: "-") else { return nil }
        func number(_ bytes: ArraySlice<UInt8>) -> Int? {
            var value = 0
            for byte in bytes {
                guard (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let producer = number(member[1 ..< 3]), let index = number(member[4...]) else { return nil }
        return (producer, index)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
