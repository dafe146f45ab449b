import Frames
import Transport

/// Why a ``TimelineClient`` call failed.
public enum TimelineClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No server answers at the endpoint (`ringside serve` is not running there).
    case serverNotFound(String)
    /// The server went away (its process died, or it closed the connection).
    case serverGone(String)
    /// The server refused the connection (the reason it gave).
    case refused(String)
    /// The client was closed.
    case closed
    /// The server answered the request with an ERROR: `code` is 0x204 (INVALID) for a
    /// malformed request, 0x201 (APPLICATION_ERROR) for one that failed; `reason` names the
    /// field.
    case rejected(code: UInt32, reason: String)
    /// No answer (or no room to send) in time.
    case timedOut(String)
    /// The request cannot be sent as asked (a key or member over 65,535 bytes, a non-finite
    /// score, a negative offset, text that is not UTF-8 on a JSON connection).
    case invalidRequest(String)
    /// The server's answer broke the protocol or the encoding (the reason, naming the field).
    case protocolViolation(String)
    /// A system call failed.
    case system(String)

    /// The client error for a transport failure.
    public init(_ error: TransportError) {
        switch error {
        case .serverNotFound(let what): self = .serverNotFound(what)
        case .serverGone(let why): self = .serverGone(why)
        case .refused(let why): self = .refused(why)
        case .closed: self = .closed
        case .protocolViolation(let why): self = .protocolViolation(why)
        case .rejected(let code, let reason): self = .rejected(code: code, reason: reason)
        case .timedOut(let what): self = .timedOut(what)
        case .wouldBlock: self = .timedOut("no room to send")
        case .system(let error): self = .system("\(error)")
        case .invalidArgument(let why): self = .invalidRequest(why)
        }
    }

    /// A request the encoding cannot carry.
    init(_ error: TimelineCodecError) {
        self = .invalidRequest("\(error)")
    }

    /// A readable account.
    public var description: String {
        switch self {
        case .serverNotFound(let what): "no server at \(what)"
        case .serverGone(let why): "server gone: \(why)"
        case .refused(let why): "refused: \(why)"
        case .closed: "the client is closed"
        case .rejected(let code, let reason): "rejected (0x\(String(code, radix: 16))): \(reason)"
        case .timedOut(let what): "timed out: \(what)"
        case .invalidRequest(let why): "invalid request: \(why)"
        case .protocolViolation(let why): "protocol violation: \(why)"
        case .system(let why): why
        }
    }
}
