import Posix
import ShmRing

extension TransportError {
    /// A segment failure as the carrier reports it: a failed system call keeps its call and
    /// `errno`; anything else (a name, a layout, a header that does not validate) becomes an
    /// invalid argument with ShmRing's account of it.
    init(segment error: SegmentError) {
        if let errno = error.errno {
            self = .system(SystemCallError(SystemCall("\(error.operation.rawValue) \(error.name)"), errno))
        } else {
            self = .invalidArgument(error.description)
        }
    }
}
