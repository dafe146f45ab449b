/// A failure of a ring operation. Back-pressure (a full ring) is not an error: it is the
/// ``RingWriteResult/full`` result, or a nil claim.
public enum RingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The region cannot hold a ring (its size is not a power-of-two capacity plus the trailer).
    case invalidRegion(String)
    /// Message types must be at least 1 (-1 marks padding, 0 and below are reserved).
    case invalidType(Int32)
    /// The payload length is negative or longer than the ring's maximum.
    case invalidLength(length: Int, maximum: Int)
    /// The ring's shared memory holds values no correct producer or consumer writes; the ring
    /// is no longer read or written by this process.
    case corrupt(RingCorruption)

    /// One line for logs.
    public var description: String {
        switch self {
        case .invalidRegion(let why): return "ring: invalid region: \(why)"
        case .invalidType(let type): return "ring: message type \(type) is reserved; types start at 1"
        case .invalidLength(let length, let maximum): return "ring: payload of \(length) bytes; 0 to \(maximum) allowed"
        case .corrupt(let corruption): return "ring: corrupt: \(corruption)"
        }
    }
}

/// What was found wrong in a ring's shared memory.
public struct RingCorruption: Equatable, Sendable, CustomStringConvertible {
    /// The field that holds an impossible value.
    public enum Field: String, Sendable {
        /// The head position (misaligned, or inconsistent with the tail).
        case head
        /// The tail position (misaligned, or inconsistent with the head).
        case tail
        /// A record's length (too short, or running past the end of the buffer).
        case recordLength = "record length"
        /// A record's type (zero, or negative and not padding).
        case recordType = "record type"
    }

    /// The field that holds an impossible value.
    public let field: Field
    /// The byte index in the buffer (records), or the position (head, tail).
    public let position: Int64
    /// The value found.
    public let value: Int64

    /// Makes a description of one impossible value.
    public init(_ field: Field, at position: Int64, value: Int64) {
        self.field = field
        self.position = position
        self.value = value
    }

    /// `record length -3 at 4096`.
    public var description: String { "\(field.rawValue) \(value) at \(position)" }
}

/// The answer of a producer's `write`: the record is in the ring, or the ring is full and
/// nothing was written (retry later: a full ring never drops silently, never blocks).
@frozen
public enum RingWriteResult: Equatable, Sendable {
    /// The record was written and committed.
    case written
    /// The ring has no room for the record now; nothing was written.
    case full
}
