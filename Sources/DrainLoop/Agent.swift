/// Work done by a duty cycle on a thread of its own (see `AgentRunner`): the single writer
/// of whatever state it owns.
public protocol Agent: SendableMetatype {
    /// A short name for the runner's error reports.
    var roleName: String { get }

    /// One duty cycle: does the work that is available now without blocking and returns how
    /// much it did (0 when there was none, which lets the idle strategy back off). An error
    /// thrown here is counted and reported by the runner, and the duty cycle goes on.
    mutating func doWork() throws -> Int

    /// Called once, on the agent's thread, after the last duty cycle.
    mutating func onClose()
}

extension Agent {
    /// Does nothing: an agent with nothing to release need not implement it.
    public mutating func onClose() {}
}
