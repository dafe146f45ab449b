import Journal
import LWWSet
import ShmRing
import Transport

/// Why a ``TimelineServer`` could not start (or stop cleanly): each case carries the layer's
/// own typed error, and the description is one line for `ringside serve` to print.
public enum TimelineServerError: Error, CustomStringConvertible {
    /// A carrier could not start: the name is held by a live server, the TCP address is
    /// taken, the configuration is invalid.
    case transport(TransportError)
    /// The data directory could not be opened or replayed (locked by another server, a
    /// corrupt record in the middle of the log), or the journal failed.
    case journal(JournalError)
    /// The stat segment could not be created.
    case stat(SegmentError)
    /// The engine's settings are invalid (a `maxSize` below 1).
    case engine(LWWSetError)
    /// A thread could not be started.
    case thread(String)

    /// One line: for a locked directory exactly `DIR is locked by pid 1234`; for a name a
    /// live server holds, `a server named 'NAME' is already running (pid 1234)`.
    public var description: String {
        switch self {
        case .transport(.invalidArgument(let why)): why
        case .transport(let error): error.description
        case .journal(.locked(let directory, let holder)):
            "\(directory) is locked by " + (holder.map { "pid \($0)" } ?? "another process")
        case .journal(let error): error.description
        case .stat(let error): "stat segment: \(error)"
        case .engine(let error): error.description
        case .thread(let why): why
        }
    }
}
