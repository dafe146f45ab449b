import Synchronization

/// The lab's progress line: the suite (its place among those selected), the case and
/// repetition, time elapsed, and an estimate of the time left from each suite's usual
/// duration (``Suite/defaultSeconds``, scaled by the runs and the work scale asked for).
/// On a terminal it is one line rewritten in place; into a file, one plain line per update.
final class LabProgress: Sendable {
    /// The one progress line of the lab process.
    static let shared = LabProgress()

    private struct State {
        var suites: [String] = []
        var index = 0
        var factor = 1.0
        var labStart = monotonicNanos()
        var suiteStart = monotonicNanos()
        var label = ""
    }

    private let state = Mutex(State())

    /// Starts the run of `suites`, whose estimates are multiplied by `factor`.
    func start(suites: [String], factor: Double) {
        state.withLock {
            $0 = State(suites: suites, factor: factor)
        }
    }

    /// Marks the start of suite `name`.
    func beginSuite(_ name: String) {
        state.withLock {
            $0.index = $0.suites.firstIndex(of: name) ?? 0
            $0.suiteStart = monotonicNanos()
            $0.label = ""
        }
    }

    /// Shows repetition `run` of `runs` of `label`.
    func repetition(_ label: String, _ run: Int, of runs: Int, detail: String?) {
        let text = "\(label): run \(run) of \(runs)" + (detail.map { ", " + $0 } ?? "")
        state.withLock { $0.label = text }
        show(text)
    }

    /// Shows a suite's own message in place of the repetition.
    func note(_ message: String) {
        show(message)
    }

    private func show(_ text: String) {
        let line = state.withLock { state -> String in
            let now = monotonicNanos()
            let elapsed = Double(now - state.labStart) / 1e9
            let inSuite = Double(now - state.suiteStart) / 1e9
            var left = 0.0
            for (position, name) in state.suites.enumerated() where position >= state.index {
                let estimate = (Suite.defaultSeconds[name] ?? 30) * state.factor
                left += position == state.index ? max(estimate - inSuite, estimate * 0.05) : estimate
            }
            let suite = state.suites.isEmpty ? "" : state.suites[state.index]
            return "[\(state.index + 1)/\(state.suites.count) \(suite)] \(text) · \(Console.duration(elapsed)) elapsed · about \(Console.duration(left)) left"
        }
        Console.progress(line)
    }
}
