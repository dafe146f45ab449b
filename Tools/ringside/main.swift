import Glibc
import Posix

/// Writes a line to standard error.
func printError(_ message: String) {
    StandardError.writeLine(message)
}

let generalHelp = """
    USAGE: ringside COMMAND [OPTIONS]

    Ringside: timeline events (insert, delete, select of key, score, member) over shared-memory
    rings and RSocket frames, applied by a single writer to a last-writer-wins element set.

    COMMANDS:
    \(allCommands.map { "  " + $0.name.padding(12) + $0.summary }.joined(separator: "\n"))

    Run 'ringside COMMAND --help' (or 'ringside help COMMAND') for a command's flags.
    Exit status: 0 success, 1 runtime failure, 2 bad usage.
    """

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}

/// Says that `name` is no command, lists the commands, and exits with status 2.
func unknownCommand(_ name: String) -> Never {
    printError("ringside: unknown command '\(name)'; commands: \(allCommands.map(\.name).joined(separator: ", "))\n"
        + "Run 'ringside --help' for usage.")
    exit(2)
}

let arguments = Arguments.commandLine(droppingFirst: 1)
guard let first = arguments.first else {
    printError(generalHelp)
    exit(2)
}
if first == "--help" || first == "-h" || first == "help" {
    // `ringside help CMD` is `ringside CMD --help`.
    guard let topic = arguments.droppingFirst.first else {
        print(generalHelp)
        exit(0)
    }
    if let command = allCommands.first(where: { $0.name == topic }) {
        print(command.help)
        exit(0)
    }
    unknownCommand(topic)
}
guard let command = (allCommands + hiddenCommands).first(where: { $0.name == first }) else { unknownCommand(first) }
let rest = arguments.droppingFirst
if rest.wantsHelp {
    print(command.help)
    exit(0)
}
do {
    exit(try command.run(rest))
} catch let error as UsageError {
    printError("ringside \(command.name): \(error)\nRun 'ringside \(command.name) --help' for usage.")
    exit(2)
} catch {
    printError("ringside \(command.name): \(error)")
    exit(1)
}
