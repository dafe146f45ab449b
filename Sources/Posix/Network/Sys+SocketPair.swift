import CRingside
import Glibc

extension SystemCall {
    /// `socketpair(2)`.
    public static let socketpair = SystemCall("socketpair")
}

extension Sys {
    /// `socketpair(2)` of two connected `AF_UNIX` stream sockets (close-on-exec), as a
    /// stand-in for a network peer in tests of a protocol client.
    public static func socketPair() throws(SystemCallError) -> (Int32, Int32) {
        var descriptors: [Int32] = [-1, -1]
        _ = try SystemCall.socketpair.run {
            Glibc.socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &descriptors)
        }
        return (descriptors[0], descriptors[1])
    }
}
