import Harness

/// The `ring-peer` helper process (built with the tests, found next to the test bundle).
enum RingPeer {
    /// Starts `ring-peer ARGUMENTS...`; it is killed if it runs past two minutes.
    static func spawn(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(ChildProcess.executable(named: "ring-peer"), arguments: arguments, timeLimit: .seconds(120))
    }
}

/// A peer that failed or went silent.
struct PeerError: Error, CustomStringConvertible {
    let description: String
}
