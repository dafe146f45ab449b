/// Why an `AgentRunner` could not be started.
public enum AgentRunnerError: Error, CustomStringConvertible {
    /// `pthread_create` failed with `errno` (EAGAIN: the thread limit is reached).
    case threadStartFailed(roleName: String, errno: Int32)

    /// A sentence for people: what failed and the error number.
    public var description: String {
        switch self {
        case .threadStartFailed(let roleName, let errno):
            "cannot start a thread for agent '\(roleName)' (pthread_create error \(errno))"
        }
    }
}
