import Posix
import ShmRing

extension TransportError {
    /// A segment failure as the carrier reports it: a failed system call keeps its call and
    /// `errno`; anything else (a name, a layout, a header that does not validate) becomes an
    /// invalid argument with ShmRing's account of it.
    init(segment error: SegmentError) {
        if error.errno != 0 {
            self = .system(SystemCallError(SystemCall("\(error.operation.rawValue) \(error.name)"), Errno(rawValue: error.errno)))
        } else {
            self = .invalidArgument(error.description)
        }
    }
}
