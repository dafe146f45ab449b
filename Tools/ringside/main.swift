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

    Run 'ringside COMMAND --help' for a command's flags. Exit status: 0 success,
    1 runtime failure, 2 bad usage.
    """

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
    print(generalHelp)
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = (allCommands + hiddenCommands).first(where: { $0.name == first }) else {
    printError("ringside: unknown command '\(first)'\n\n" + generalHelp)
    exit(2)
}
let rest = Array(arguments.dropFirst())
if Arguments(rest).wantsHelp {
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
