/// Why the set refused an operation. Nothing is changed by an operation that throws.
public enum LWWSetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A score, or a cursor's score, was NaN, which has no place in an order by score.
    case notANumber
    /// A key longer than `LWWSet.maximumKeyLength` bytes.
    case keyTooLong(length: Int)
    /// A member longer than `LWWSet.maximumMemberLength` bytes.
    case memberTooLong(length: Int)
    /// A select with a negative offset.
    case negativeOffset(Int)
    /// A select with a negative limit.
    case negativeLimit(Int)
    /// A bound on entries per set below 1.
    case invalidMaxSize(Int)
    /// A buffer of the set would pass the 4 GiB that its 32-bit offsets address.
    case capacityExceeded(arenaBytes: Int, adding: Int)
    /// Score text that is not a decimal number (`ScoreText.parse`).
    case malformedScore(String)
    /// Score text whose value lies beyond the largest finite Double (`ScoreText.parse`).
    case scoreOutOfRange(String)

    /// The reason in words, for logs and error messages.
    public var description: String {
        switch self {
        case .notANumber:
            return "a score must be a number, not NaN"
        case .keyTooLong(let length):
            return "key of \(length) bytes is longer than the \(LWWSet.maximumKeyLength) allowed"
        case .memberTooLong(let length):
            return "member of \(length) bytes is longer than the \(LWWSet.maximumMemberLength) allowed"
        case .negativeOffset(let offset):
            return "offset \(offset) is negative"
        case .negativeLimit(let limit):
            return "limit \(limit) is negative"
        case .invalidMaxSize(let maxSize):
            return "max size \(maxSize) is below 1"
        case .capacityExceeded(let arenaBytes, let adding):
            return "a set holding \(arenaBytes) bytes cannot take \(adding) more (4 GiB per set)"
        case .malformedScore(let text):
            return "score '\(text)' is not a number"
        case .scoreOutOfRange(let text):
            return "score '\(text)' is out of range"
        }
    }
}
