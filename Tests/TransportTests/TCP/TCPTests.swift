import Testing

/// The TCP carrier's suites, run one after another: they count the process's sockets and
/// descriptors, and the 1,000-connection test wants the machine to itself.
@Suite("TCP carrier", .serialized)
struct TCPTests {}
